/** 审计日志: newest first, 加载更多 pages backwards by id; optional filter by action. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import dayjs from 'dayjs';
import { Alert, Button, Select, Space, Table, Tag, Tooltip, Typography, type TableColumnsType } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { api } from '../../../../../shared/api/index.js';
import type { AuditEntry } from '../../../../../shared/api/accounts.js';
import { errorText } from '../../../i18n/error-text';
import { call } from '../../../services/session';
import { auditActionKey, knownAuditActions } from './audit-actions';

const PAGE_SIZE = 100;

export function AuditPage() {
  const { t } = useTranslation();
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [hasMore, setHasMore] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [action, setAction] = useState<string | undefined>(undefined);
  const generation = useRef(0);

  const actionLabel = (a: string): string => {
    const key = auditActionKey(a);
    return key ? t(`auditActions.${key}`) : a;
  };

  const load = useCallback(
    async (before: string | undefined): Promise<void> => {
      const gen = before === undefined ? ++generation.current : generation.current;
      setLoading(true);
      try {
        const { items } = await call(api.listAudit, { query: { limit: PAGE_SIZE, before, action } });
        if (gen !== generation.current) return; // the filter changed meanwhile
        setEntries((prev) => (before === undefined ? items : [...prev, ...items]));
        setHasMore(items.length === PAGE_SIZE);
        setError(undefined);
      } catch (err) {
        if (gen === generation.current) setError(err);
      } finally {
        if (gen === generation.current) setLoading(false);
      }
    },
    [action],
  );

  useEffect(() => {
    void load(undefined);
  }, [load]);

  const columns: TableColumnsType<AuditEntry> = [
    { title: t('audit.columns.at'), key: 'at', width: 170, render: (_, e) => dayjs(e.at).format('YYYY-MM-DD HH:mm:ss') },
    { title: t('audit.columns.actor'), key: 'actor', render: (_, e) => e.actorName ?? e.actorId ?? t('audit.system') },
    {
      title: t('audit.columns.action'),
      key: 'action',
      render: (_, e) => (
        <Tooltip title={e.action}>
          <Tag color={e.action.endsWith('failed') || e.action.endsWith('locked') || e.action.endsWith('reuse') ? 'red' : 'blue'}>{actionLabel(e.action)}</Tag>
        </Tooltip>
      ),
    },
    {
      title: t('audit.columns.target'),
      key: 'target',
      render: (_, e) => (e.targetType ? `${e.targetType}${e.targetId ? `:${e.targetId}` : ''}` : t('common.none')),
    },
    { title: t('audit.columns.ip'), key: 'ip', render: (_, e) => e.ip ?? t('common.none') },
    {
      title: t('audit.columns.detail'),
      key: 'detail',
      render: (_, e) => {
        const text = Object.keys(e.detail).length ? JSON.stringify(e.detail) : '';
        return text ? (
          <Typography.Text code ellipsis={{ tooltip: text }} style={{ maxWidth: 320 }}>
            {text}
          </Typography.Text>
        ) : (
          t('common.none')
        );
      },
    },
  ];

  const last = entries[entries.length - 1];
  return (
    <div data-testid="admin-audit">
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('audit.title')}
        </Typography.Title>
        <Space>
          <Select<string>
            allowClear
            placeholder={t('audit.filterAction')}
            value={action}
            onChange={(v) => setAction(v)}
            options={knownAuditActions.map((a) => ({ value: a, label: actionLabel(a) }))}
            style={{ width: 180 }}
            data-testid="audit-action-filter"
          />
          <Button icon={<ReloadOutlined />} onClick={() => void load(undefined)}>
            {t('common.refresh')}
          </Button>
        </Space>
      </Space>
      {error !== undefined && (
        <Alert type="error" showIcon title={t('common.loadFailed', { reason: errorText(error, t) })} style={{ marginBottom: 16 }} />
      )}
      <Table<AuditEntry>
        rowKey="id"
        size="small"
        loading={loading && entries.length === 0}
        columns={columns}
        dataSource={entries}
        pagination={false}
      />
      <div style={{ textAlign: 'center', marginTop: 16 }}>
        {hasMore && last ? (
          <Button loading={loading} onClick={() => void load(last.id)} data-testid="audit-load-more">
            {t('audit.loadMore')}
          </Button>
        ) : (
          entries.length > 0 && <Typography.Text type="secondary">{t('audit.noMore')}</Typography.Text>
        )}
      </div>
    </div>
  );
}
