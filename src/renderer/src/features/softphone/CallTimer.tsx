/** Running call duration since answer. */
import { useEffect, useState } from 'react';
import { Typography } from 'antd';
import { formatDuration } from './call-text';

export function CallTimer({ since, until, testId = 'call-timer' }: { since: number | null; until?: number | null; testId?: string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (since === null || until) return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [since, until]);
  const ms = since === null ? 0 : (until ?? now) - since;
  return (
    <Typography.Text code data-testid={testId} data-seconds={Math.floor(Math.max(0, ms) / 1000)}>
      {formatDuration(ms)}
    </Typography.Text>
  );
}
