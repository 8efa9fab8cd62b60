/**
 * 省平台对接 (admin): gateway health (outbox depth, oldest pending, throughput, failures by
 * reason, circuit), dead letters with 重发, and reconciliation (run for a date range, last reports).
 */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import dayjs from 'dayjs';
import { Alert, Button, Card, DatePicker, Descriptions, Space, Switch, Table, Tag, Typography, message, type TableColumnsType } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { api } from '../../../../../shared/api/index.js';
import { provinceEventTypeLabels, type DeadLetter, type GatewayHealth, type ReconciliationSummary } from '../../../../../shared/api/province.js';
import { errorText } from '../../../i18n/error-text';
import { call } from '../../../services/session';

const circuitColor: Record<GatewayHealth['circuit'], string> = { closed: 'green', half_open: 'orange', open: 'red', isolated: 'red', stopped: 'default' };

export function ProvincePage() {
  const { t } = useTranslation();
  const [health, setHealth] = useState<GatewayHealth | null>(null);
  const [dead, setDead] = useState<DeadLetter[]>([]);
  const [reports, setReports] = useState<ReconciliationSummary[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  const [range, setRange] = useState<[dayjs.Dayjs, dayjs.Dayjs]>([dayjs().subtract(1, 'day'), dayjs().subtract(1, 'day')]);
  const [resendMissing, setResendMissing] = useState(true);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      const [h, d, r] = await Promise.all([
        call(api.provinceHealth),
        call(api.provinceDeadLetters, { query: { limit: 100 } }),
        call(api.provinceReconciliations),
      ]);
      setHealth(h);
      setDead(d.items);
      setReports(r.items);
      setError(undefined);
    } catch (err) {
      setError(err);
    }
  }, []);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), 10_000);
    return () => clearInterval(timer);
  }, [load]);

  const resend = async (d: DeadLetter) => {
    try {
      await call(api.provinceResend, { params: { id: d.id }, body: {} });
      void message.success(t('province.resent'));
      await load();
    } catch (err) {
      void message.error(errorText(err, t));
    }
  };

  const reconcile = async () => {
    setBusy(true);
    try {
      const r = await call(api.provinceReconcile, { body: { from: range[0].format('YYYY-MM-DD'), to: range[1].format('YYYY-MM-DD'), resendMissing } });
      void message.success(t('province.reconciled', { missing: r.missingUpstream, unknown: r.unknownUpstream }));
      await load();
    } catch (err) {
      void message.error(errorText(err, t));
    } finally {
      setBusy(false);
    }
  };

  const deadColumns: TableColumnsType<DeadLetter> = [
    { title: t('province.columns.ticketNo'), dataIndex: 'ticketNo' },
    { title: t('province.columns.event'), key: 'type', render: (_, d) => `${provinceEventTypeLabels[d.type]} #${d.seq}` },
    { title: t('province.columns.message'), key: 'msg', render: (_, d) => <Typography.Text type="danger" data-testid={`province-dead-${d.ticketNo}`}>{d.provinceCode}: {d.provinceMessage}</Typography.Text> },
    { title: t('province.columns.heldBack'), dataIndex: 'heldBack' },
    { title: t('province.columns.at'), key: 'at', render: (_, d) => dayjs(d.deadAt).format('MM-DD HH:mm:ss') },
    { title: '', key: 'op', render: (_, d) => <Button size="small" onClick={() => void resend(d)} data-testid={`province-resend-${d.ticketNo}`}>{t('province.resend')}</Button> },
  ];
  const reportColumns: TableColumnsType<ReconciliationSummary> = [
    { title: t('province.columns.range'), key: 'range', render: (_, r) => (r.from === r.to ? r.from : `${r.from} ~ ${r.to}`) },
    { title: t('province.columns.trigger'), key: 'trigger', render: (_, r) => t(`province.trigger.${r.trigger}`) },
    { title: t('province.columns.ours'), dataIndex: 'ours' },
    { title: t('province.columns.theirs'), dataIndex: 'theirs' },
    { title: t('province.columns.missing'), key: 'm', render: (_, r) => <Tag color={r.missingUpstream ? 'red' : 'green'}>{r.missingUpstream}</Tag> },
    { title: t('province.columns.unknown'), key: 'u', render: (_, r) => <Tag color={r.unknownUpstream ? 'orange' : 'green'}>{r.unknownUpstream}</Tag> },
    { title: t('province.columns.resentCount'), dataIndex: 'resent' },
    { title: t('province.columns.at'), key: 'at', render: (_, r) => dayjs(r.createdAt).format('YYYY-MM-DD HH:mm') },
  ];

  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="province-page">
      {error !== undefined && <Alert type="error" message={errorText(error, t)} />}
      <Card title={t('province.health')} extra={<Button icon={<ReloadOutlined />} onClick={() => void load()} />}>
        {health && (
          <Descriptions size="small" column={4}>
            <Descriptions.Item label={t('province.enabled')}>{health.enabled ? t('province.yes') : t('province.no')}</Descriptions.Item>
            <Descriptions.Item label={t('province.circuit')}><Tag color={circuitColor[health.circuit]}>{t(`province.circuitState.${health.circuit}`)}</Tag></Descriptions.Item>
            <Descriptions.Item label={t('province.depth')}>{health.outboxDepth}</Descriptions.Item>
            <Descriptions.Item label={t('province.oldest')}>{health.oldestPendingAgeSeconds === null ? '—' : `${Math.round(health.oldestPendingAgeSeconds)} s`}</Descriptions.Item>
            <Descriptions.Item label={t('province.sentMinute')}>{health.sentLastMinute}</Descriptions.Item>
            <Descriptions.Item label={t('province.sentHour')}>{health.sentLastHour}</Descriptions.Item>
            <Descriptions.Item label={t('province.deadLetters')}><span data-testid="province-dead-count">{health.deadLetters}</span></Descriptions.Item>
            <Descriptions.Item label={t('province.lastSuccess')}>{health.lastSuccessAt ? dayjs(health.lastSuccessAt).format('MM-DD HH:mm:ss') : '—'}</Descriptions.Item>
            <Descriptions.Item label={t('province.failures')} span={4}>
              {Object.entries(health.failuresByReason).map(([k, v]) => <Tag key={k} color="red">{k}: {v}</Tag>)}
              {!Object.keys(health.failuresByReason).length && '—'}
            </Descriptions.Item>
          </Descriptions>
        )}
      </Card>
      <Card title={t('province.deadLetters')}>
        <Table rowKey="id" size="small" columns={deadColumns} dataSource={dead} pagination={false} />
      </Card>
      <Card title={t('province.reconciliation')}>
        <Space style={{ marginBottom: 12 }}>
          <DatePicker.RangePicker value={range} onChange={(v) => v?.[0] && v[1] && setRange([v[0], v[1]])} allowClear={false} />
          <Switch checked={resendMissing} onChange={setResendMissing} /> {t('province.resendMissing')}
          <Button type="primary" loading={busy} onClick={() => void reconcile()} data-testid="province-reconcile">{t('province.runReconciliation')}</Button>
        </Space>
        <Table rowKey="id" size="small" columns={reportColumns} dataSource={reports} pagination={{ pageSize: 10 }} data-testid="province-reports" />
      </Card>
    </Space>
  );
}
