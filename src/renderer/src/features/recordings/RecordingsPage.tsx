/**
 * 通话录音: the recordings this user may listen to (their own as an agent; their groups'
 * as a supervisor; all for QA and admins — the server decides), newest first, with a
 * player. Audio needs the bearer token, so it is fetched into a blob rather than linked.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import dayjs from 'dayjs';
import { Alert, Button, Input, Space, Table, Tag, Tooltip, Typography, type TableColumnsType } from 'antd';
import { PlayCircleOutlined, ReloadOutlined } from '@ant-design/icons';
import { api } from '../../../../shared/api/index.js';
import { recordingAudioPath, type Recording } from '../../../../shared/api/recordings.js';
import { errorText } from '../../i18n/error-text';
import { call, freshAccessToken } from '../../services/session';
import { resolveServerUrl } from '../../services/server-url';

const stateColor: Record<Recording['state'], string> = { recording: 'processing', complete: 'green', incomplete: 'orange' };

export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

async function fetchAudio(id: string): Promise<string> {
  const base = await resolveServerUrl();
  const token = await freshAccessToken();
  const res = await fetch(`${base}${recordingAudioPath(id)}`, { headers: { authorization: `Bearer ${token ?? ''}` } });
  if (!res.ok) throw Object.assign(new Error(`HTTP ${res.status}`), { statusCode: res.status });
  return URL.createObjectURL(await res.blob());
}

export function RecordingsPage() {
  const { t } = useTranslation();
  const [items, setItems] = useState<Recording[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [callId, setCallId] = useState('');
  const [playing, setPlaying] = useState<{ id: string; url: string } | null>(null);
  const urlRef = useRef<string | null>(null);

  const load = useCallback(async (): Promise<void> => {
    setLoading(true);
    try {
      const res = await call(api.listRecordings, { query: { limit: 200, sipCallId: callId.trim() || undefined } });
      setItems(res.items);
      setError(undefined);
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  }, [callId]);

  useEffect(() => {
    void load();
  }, [load]);

  // The object URL holds the whole file in memory: release it when replaced or on leaving.
  useEffect(() => () => {
    if (urlRef.current) URL.revokeObjectURL(urlRef.current);
  }, []);

  const play = async (r: Recording): Promise<void> => {
    try {
      const url = await fetchAudio(r.id);
      if (urlRef.current) URL.revokeObjectURL(urlRef.current);
      urlRef.current = url;
      setPlaying({ id: r.id, url });
    } catch (err) {
      setError(err);
    }
  };

  const columns: TableColumnsType<Recording> = [
    { title: t('recordings.columns.startedAt'), key: 'startedAt', width: 170, render: (_, r) => dayjs(r.startedAt).format('YYYY-MM-DD HH:mm:ss') },
    { title: t('recordings.columns.agent'), key: 'agent', render: (_, r) => `${r.agentName}${r.extension ? ` (${r.extension})` : ''}` },
    { title: t('recordings.columns.direction'), key: 'direction', render: (_, r) => t(`recordings.direction.${r.direction}`) },
    { title: t('recordings.columns.remoteNumber'), dataIndex: 'remoteNumber', key: 'remoteNumber' },
    { title: t('recordings.columns.duration'), key: 'duration', width: 90, render: (_, r) => formatDuration(r.durationMs) },
    {
      title: t('recordings.columns.state'),
      key: 'state',
      render: (_, r) => (
        <Tooltip title={r.sha256 ? `SHA-256 ${r.sha256}` : undefined}>
          <Tag color={stateColor[r.state]}>{t(`recordings.state.${r.state}`)}</Tag>
        </Tooltip>
      ),
    },
    {
      title: t('recordings.columns.play'),
      key: 'play',
      width: 320,
      render: (_, r) =>
        playing?.id === r.id ? (
          <audio src={playing.url} controls autoPlay data-testid={`recording-audio-${r.id}`} style={{ height: 32, width: 300 }} />
        ) : (
          <Button size="small" icon={<PlayCircleOutlined />} disabled={r.bytes === 0} onClick={() => void play(r)} data-testid={`recording-play-${r.id}`}>
            {t('recordings.play')}
          </Button>
        ),
    },
  ];

  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle" data-testid="recordings-page">
      <Space>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('recordings.title')}
        </Typography.Title>
        <Input.Search
          allowClear
          placeholder={t('recordings.searchCallId')}
          onSearch={(v) => setCallId(v)}
          style={{ width: 320 }}
          data-testid="recordings-search"
        />
        <Button icon={<ReloadOutlined />} onClick={() => void load()} loading={loading}>
          {t('common.refresh')}
        </Button>
      </Space>
      {error !== undefined && <Alert type="error" showIcon message={errorText(error, t)} />}
      <Table<Recording> rowKey="id" columns={columns} dataSource={items} loading={loading} pagination={{ pageSize: 20 }} size="middle" />
    </Space>
  );
}
