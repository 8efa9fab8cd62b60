/** Shows softphone notices (device fallback, transfer result, signalling lost) as antd messages. */
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { App } from 'antd';
import { useSoftphoneStore } from '../../stores/softphone-store';

/** Page-wide, so a remount (navigating away and back) does not repeat old notices. */
let lastShown = 0;

export function SoftphoneNotices() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const notices = useSoftphoneStore((s) => s.notices);
  useEffect(() => {
    for (const notice of notices) {
      if (notice.seq <= lastShown) continue;
      lastShown = notice.seq;
      const text = t(`softphone.issues.${notice.issue}`, notice.params);
      const code = notice.params['code'];
      const content = (
        <span data-testid="softphone-notice" data-issue={notice.issue}>
          {code ? `${text} (${code})` : text}
        </span>
      );
      if (notice.level === 'error') void message.error(content);
      else if (notice.level === 'warning') void message.warning(content);
      else void message.info(content);
    }
  }, [notices, message, t]);
  return null;
}
