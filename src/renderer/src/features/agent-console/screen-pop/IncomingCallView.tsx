/**
 * 来电弹屏: the caller the moment a call is offered — number and attribution, warning tags
 * (黑名单/骚扰 in red, 重复来电 in orange), calls in 30 days and the last call, their tickets
 * (open first; 保密 ones withheld are counted), the queue and how long they waited — and
 * 新建工单, which opens the registration form prefilled from the call.
 *
 * Benchmarks and e2e tests read when the view was painted with the history: the animation
 * frame that paints it stamps `performance.now()` into `data-painted-at` and
 * `window.__screenPop.painted` (with the epoch time, to compare across pages).
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import dayjs from 'dayjs';
import { Alert, Button, Card, Descriptions, Drawer, Empty, List, Space, Spin, Tag, Typography } from 'antd';
import { CloseOutlined, PlusOutlined, WarningOutlined } from '@ant-design/icons';
import { api } from '../../../../../shared/api/index.js';
import type { CallerHistory } from '../../../../../shared/api/callers.js';
import type { RefData } from '../../../../../shared/api/refdata.js';
import { can } from '../../../../../shared/roles.js';
import { loadHistory } from '../../../services/screen-pop';
import { call } from '../../../services/session';
import { useScreenPopStore, type ScreenPop } from '../../../stores/screen-pop-store';
import { useCurrentUser } from '../../../stores/session-store';
import { TicketForm } from '../../tickets/TicketForm';
import { slaColor, slaStateLabel, statusColor, statusLabel } from '../../tickets/ticket-view';

export interface PaintedStamp {
  key: string;
  callId: string | null;
  number: string;
  /** performance.now() of the frame that painted the view with history. */
  at: number;
  /** The same instant as epoch milliseconds (performance.timeOrigin + at). */
  epochMs: number;
}
declare global {
  interface Window {
    /** Bench and e2e hooks: when offers arrived and when views were painted with history. */
    __screenPop?: { painted: PaintedStamp[]; offered?: { callId: string; epochMs: number }[] };
  }
}

const tagColor: Record<CallerHistory['tags'][number]['level'], string> = { info: 'blue', warning: 'orange', danger: 'red' };

function attributionText(h: CallerHistory): string {
  const a = h.attribution;
  const place = [a.province, a.city && a.city !== a.province ? a.city : null].filter(Boolean).join(' ');
  return [place || null, a.carrier].filter(Boolean).join(' · ');
}

function seconds(s: number | null): string {
  if (s === null) return '—';
  const n = Math.round(s);
  return n >= 60 ? `${Math.floor(n / 60)} 分 ${n % 60} 秒` : `${n} 秒`;
}

export function IncomingCallView() {
  const pop = useScreenPopStore((s) => s.pop);
  if (!pop) return null;
  return <PopCard pop={pop} />;
}

function PopCard({ pop }: { pop: ScreenPop }) {
  const { t } = useTranslation();
  const user = useCurrentUser();
  const ref = useRef<HTMLDivElement>(null);
  const stamped = useRef<string | null>(null);
  const [refdata, setRefdata] = useState<RefData | null>(null);
  const [creating, setCreating] = useState(false);
  const h = pop.history;

  // Stamp the frame that paints this call's history (once per call).
  useLayoutEffect(() => {
    if (!h || stamped.current === pop.key) return;
    stamped.current = pop.key;
    const el = ref.current;
    const key = pop.key;
    requestAnimationFrame(() => {
      const at = performance.now();
      el?.setAttribute('data-painted-at', String(at));
      const w = window.__screenPop ?? (window.__screenPop = { painted: [] });
      w.painted.push({ key, callId: pop.callId, number: pop.number, at, epochMs: performance.timeOrigin + at });
    });
  }, [h, pop.key, pop.callId, pop.number]);

  useEffect(() => {
    if (creating && !refdata) call(api.getRefData, {}).then(setRefdata, () => setCreating(false));
  }, [creating, refdata]);

  const statusTag =
    pop.status === 'ringing' ? <Tag color="processing">{t('screenPop.ringing')}</Tag>
    : pop.status === 'answered' ? <Tag color="green">{t('screenPop.answered')}</Tag>
    : <Tag>{t('screenPop.ended')}</Tag>;
  const danger = h?.tags.some((x) => x.level === 'danger');

  return (
    <Card
      ref={ref}
      data-testid="screen-pop"
      data-call-id={pop.callId ?? ''}
      data-number={pop.number}
      data-status={pop.status}
      data-loaded={h ? 'true' : 'false'}
      title={
        <Space wrap>
          <span>{t('screenPop.title')}</span>
          <Typography.Text strong copyable={!!pop.number} data-testid="screen-pop-number">{pop.number || pop.caller || t('screenPop.withheld')}</Typography.Text>
          {h && <Typography.Text type="secondary" data-testid="screen-pop-attribution">{attributionText(h) || t('screenPop.unknownPlace')}</Typography.Text>}
          {statusTag}
        </Space>
      }
      extra={
        <Space>
          {can(user.roles, 'tickets:register') && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="screen-pop-new-ticket">
              {t('screenPop.newTicket')}
            </Button>
          )}
          {pop.status === 'ended' && <Button icon={<CloseOutlined />} onClick={() => useScreenPopStore.getState().dismiss(pop.key)} data-testid="screen-pop-close" />}
        </Space>
      }
      style={danger ? { borderColor: '#ff4d4f' } : undefined}
    >
      {h && h.tags.length > 0 && (
        <Space wrap style={{ marginBottom: 12 }}>
          {h.tags.map((tag) => (
            <Tag key={tag.kind} color={tagColor[tag.level]} icon={tag.level === 'danger' ? <WarningOutlined /> : undefined} data-testid={`screen-pop-tag-${tag.kind}`}>
              {tag.label}
              {tag.note ? `：${tag.note}` : ''}
            </Tag>
          ))}
        </Space>
      )}
      {danger && <Alert type="error" showIcon style={{ marginBottom: 12 }} message={t('screenPop.dangerWarning')} data-testid="screen-pop-warning" />}
      <Descriptions size="small" column={{ xs: 1, md: 2, xl: 4 }}>
        <Descriptions.Item label={t('screenPop.queue')}>
          <span data-testid="screen-pop-queue">{pop.queueName ?? h?.current?.queueName ?? t('screenPop.direct')}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('screenPop.waited')}>
          <span data-testid="screen-pop-waited">{seconds(pop.waitedSeconds ?? h?.current?.waitedSeconds ?? null)}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('screenPop.calls30')}>
          <span data-testid="screen-pop-calls30">{h ? h.calls.last30Days : '…'}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('screenPop.lastCall')}>
          <span data-testid="screen-pop-last-call">
            {h?.calls.lastCall
              ? `${dayjs(h.calls.lastCall.arrivedAt).format('YYYY-MM-DD HH:mm')}${h.calls.lastCall.agentName ? ` · ${h.calls.lastCall.agentName}` : ''}${h.calls.lastCall.result ? ` · ${t(`screenPop.results.${h.calls.lastCall.result}`)}` : ''}`
              : h ? t('screenPop.firstCall') : '…'}
          </span>
        </Descriptions.Item>
      </Descriptions>
      {pop.failed && <Alert type="warning" showIcon message={t('screenPop.loadFailed')} action={<Button size="small" onClick={() => void loadHistory(pop.key)}>{t('screenPop.retry')}</Button>} />}
      {!h && !pop.failed && pop.number && <Spin size="small" />}
      {h && (
        <>
          <Typography.Title level={5} style={{ marginTop: 12 }}>
            {t('screenPop.tickets', { count: h.tickets.length })}
            {h.ticketsTruncated ? t('screenPop.truncated') : ''}
          </Typography.Title>
          {h.tickets.length === 0 && h.hiddenConfidential.total === 0 ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('screenPop.noTickets')} />
          ) : (
            <List
              size="small"
              dataSource={h.tickets}
              data-testid="screen-pop-tickets"
              renderItem={(tk) => (
                <List.Item data-testid="screen-pop-ticket" data-ticket-no={tk.ticketNo} data-status={tk.status}>
                  <Space wrap>
                    <Typography.Text code>{tk.ticketNo}</Typography.Text>
                    <Tag color={statusColor[tk.status]}>{statusLabel[tk.status]}</Tag>
                    {tk.slaState !== 'normal' && <Tag color={slaColor[tk.slaState]}>{slaStateLabel[tk.slaState]}</Tag>}
                    {tk.confidential && <Tag color="purple">{t('screenPop.confidential')}</Tag>}
                    <span>{tk.title}</span>
                    <Typography.Text type="secondary">{dayjs(tk.acceptedAt).format('YYYY-MM-DD')}</Typography.Text>
                  </Space>
                </List.Item>
              )}
              footer={
                h.hiddenConfidential.total > 0 ? (
                  <Typography.Text type="secondary" data-testid="screen-pop-hidden">
                    {t('screenPop.hidden', { total: h.hiddenConfidential.total, open: h.hiddenConfidential.open })}
                  </Typography.Text>
                ) : undefined
              }
            />
          )}
        </>
      )}
      <Drawer title={t('screenPop.newTicket')} width={760} open={creating && !!refdata} onClose={() => setCreating(false)} destroyOnHidden>
        {refdata && (
          <TicketForm
            refdata={refdata}
            call={{ callId: pop.callId ?? undefined, callerNumber: pop.number || undefined }}
            onCreated={() => {
              setCreating(false);
              void loadHistory(pop.key);
            }}
          />
        )}
      </Drawer>
    </Card>
  );
}
