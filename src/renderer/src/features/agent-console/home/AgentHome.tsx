/**
 * 坐席首页 on the agent console: who and where (extension, groups), today's performance
 * (answered, missed, average talk and after-call work, tickets filed, satisfaction), pending
 * items (漏接电话回拨 tasks to claim and close, my tickets near or past their deadline) and
 * supervisors' notices. Live: re-read when the agent's state or an offer changes, and on
 * callback-task pushes; notices come from the supervision pushes.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import dayjs from 'dayjs';
import { App, Button, Card, Col, Descriptions, Empty, List, Row, Select, Space, Statistic, Tag, Typography } from 'antd';
import { api } from '../../../../../shared/api/index.js';
import type { CallbackTask } from '../../../../../shared/api/acd.js';
import type { AgentHome as Home } from '../../../../../shared/api/callers.js';
import { isApiCallError } from '../../../services/api-client';
import { call } from '../../../services/session';
import { useMonitorStore } from '../../../stores/monitor-store';
import { useCurrentUser } from '../../../stores/session-store';
import { slaColor, slaStateLabel, statusLabel } from '../../tickets/ticket-view';
import { useRealtimeEvent } from './use-realtime-event';

function secs(v: number | null): string {
  if (v === null) return '—';
  const n = Math.round(v);
  return n >= 60 ? `${Math.floor(n / 60)}:${String(n % 60).padStart(2, '0')}` : `${n}s`;
}

/** Coalesces bursts of pushes into one re-read. */
function useDebounced(fn: () => void, ms: number): () => void {
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);
  return useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(fn, ms);
  }, [fn, ms]);
}

export function AgentHome() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const user = useCurrentUser();
  const [home, setHome] = useState<Home | null>(null);
  const [callbacks, setCallbacks] = useState<CallbackTask[]>([]);
  const [outcome, setOutcome] = useState<Record<string, 'called_back' | 'unreachable' | 'other'>>({});
  const notes = useMonitorStore((s) => s.notes);

  const loadHome = useCallback(() => {
    call(api.agentHome, {}).then(setHome, () => undefined);
  }, []);
  const loadCallbacks = useCallback(() => {
    call(api.listCallbacks, { query: { status: 'active', limit: 20 } }).then((r) => setCallbacks(r.items), () => undefined);
  }, []);
  useEffect(() => {
    loadHome();
    loadCallbacks();
  }, [loadHome, loadCallbacks]);

  const refreshHome = useDebounced(loadHome, 500);
  useRealtimeEvent('agent:state-changed', (s) => {
    if (s.agentId === user.id) refreshHome();
  });
  useRealtimeEvent('acd:offer-ended', () => refreshHome());
  useRealtimeEvent('acd:callback-changed', (task) => {
    setCallbacks((list) => {
      const rest = list.filter((c) => c.id !== task.id);
      return task.status === 'done' ? rest : [task, ...rest].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    });
  });

  const act = async (fn: () => Promise<CallbackTask>) => {
    try {
      await fn();
      loadCallbacks();
    } catch (err) {
      void message.error(isApiCallError(err) ? err.message : t('agentHome.actionFailed'));
      loadCallbacks();
    }
  };

  const messages = notes.filter((n) => n.kind === 'message').slice().reverse();
  const today = home?.today;

  return (
    <Row gutter={[16, 16]} data-testid="agent-home" data-loaded={home ? 'true' : 'false'}>
      <Col xs={24} xl={8}>
        <Card title={t('agentHome.me')} size="small">
          <Descriptions size="small" column={1}>
            <Descriptions.Item label={t('agentHome.name')}>{user.displayName}（{user.username}）</Descriptions.Item>
            <Descriptions.Item label={t('agentHome.extension')}><span data-testid="agent-home-extension">{user.extension ?? '—'}</span></Descriptions.Item>
            <Descriptions.Item label={t('agentHome.groups')}>{home?.agent.groups.map((g) => <Tag key={g.id}>{g.name}</Tag>) ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('agentHome.seat')}>{home?.agent.signedInFrom ?? '—'}</Descriptions.Item>
          </Descriptions>
        </Card>
      </Col>
      <Col xs={24} xl={16}>
        <Card title={t('agentHome.today')} size="small" data-testid="agent-home-today">
          <Row gutter={[16, 8]}>
            <Col span={8} md={4}><Statistic title={t('agentHome.answered')} value={today?.answered ?? '—'} valueRender={(n) => <span data-testid="agent-home-answered">{n}</span>} /></Col>
            <Col span={8} md={4}><Statistic title={t('agentHome.missed')} value={today?.missed ?? '—'} valueStyle={today?.missed ? { color: '#cf1322' } : undefined} /></Col>
            <Col span={8} md={4}><Statistic title={t('agentHome.avgTalk')} value={secs(today?.avgTalkSeconds ?? null)} /></Col>
            <Col span={8} md={4}><Statistic title={t('agentHome.avgAcw')} value={secs(today?.avgAfterCallWorkSeconds ?? null)} /></Col>
            <Col span={8} md={4}><Statistic title={t('agentHome.ticketsFiled')} value={today?.ticketsFiled ?? '—'} valueRender={(n) => <span data-testid="agent-home-tickets-filed">{n}</span>} /></Col>
            <Col span={8} md={4}>
              <Statistic
                title={t('agentHome.satisfaction')}
                value={today?.satisfaction.rate == null ? '—' : `${Math.round(today.satisfaction.rate * 100)}%`}
                suffix={today?.satisfaction.rated ? <Typography.Text type="secondary" style={{ fontSize: 12 }}>/{today.satisfaction.rated}</Typography.Text> : undefined}
              />
            </Col>
          </Row>
        </Card>
      </Col>
      <Col xs={24} xl={12}>
        <Card title={t('agentHome.pending')} size="small" data-testid="agent-home-pending">
          <Typography.Text strong>{t('agentHome.callbacks', { count: callbacks.length })}</Typography.Text>
          {callbacks.length === 0 ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('agentHome.noCallbacks')} />
          ) : (
            <List
              size="small"
              dataSource={callbacks}
              renderItem={(c) => {
                const mine = c.status === 'claimed' && c.claimedBy === user.id;
                return (
                  <List.Item
                    data-testid="agent-home-callback"
                    data-status={c.status}
                    actions={
                      c.status === 'open'
                        ? [<Button key="claim" size="small" type="primary" onClick={() => void act(() => call(api.claimCallback, { params: { id: c.id } }))} data-testid="callback-claim">{t('agentHome.claim')}</Button>]
                        : mine
                          ? [
                              <Select key="o" size="small" style={{ width: 110 }} value={outcome[c.id] ?? 'called_back'} onChange={(v) => setOutcome((o) => ({ ...o, [c.id]: v }))}
                                options={(['called_back', 'unreachable', 'other'] as const).map((v) => ({ value: v, label: t(`agentHome.outcomes.${v}`) }))} />,
                              <Button key="done" size="small" onClick={() => void act(() => call(api.completeCallback, { params: { id: c.id }, body: { outcome: outcome[c.id] ?? 'called_back' } }))} data-testid="callback-complete">{t('agentHome.complete')}</Button>,
                              <Button key="rel" size="small" type="link" onClick={() => void act(() => call(api.releaseCallback, { params: { id: c.id } }))}>{t('agentHome.release')}</Button>,
                            ]
                          : [<Tag key="c">{t('agentHome.claimedByOther')}</Tag>]
                    }
                  >
                    <Space wrap>
                      <Typography.Text strong>{c.caller}</Typography.Text>
                      <Tag color="red">{t(`agentHome.reasons.${c.reason}`)}</Tag>
                      {c.missedCount > 1 && <Tag>{t('agentHome.missedTimes', { count: c.missedCount })}</Tag>}
                      <Typography.Text type="secondary">{c.queueName ?? ''} {dayjs(c.lastMissedAt).format('HH:mm')}</Typography.Text>
                    </Space>
                  </List.Item>
                );
              }}
            />
          )}
          <Typography.Text strong style={{ display: 'block', marginTop: 12 }}>{t('agentHome.dueTickets', { count: home?.dueTickets.length ?? 0 })}</Typography.Text>
          {home && home.dueTickets.length > 0 ? (
            <List
              size="small"
              dataSource={home.dueTickets}
              renderItem={(tk) => (
                <List.Item data-testid="agent-home-due-ticket">
                  <Space wrap>
                    <Typography.Text code>{tk.ticketNo}</Typography.Text>
                    <Tag color={slaColor[tk.slaState]}>{slaStateLabel[tk.slaState]}</Tag>
                    <span>{tk.title}</span>
                    <Typography.Text type="secondary">{statusLabel[tk.status]} · {tk.dueAt ? dayjs(tk.dueAt).format('MM-DD HH:mm') : '—'}</Typography.Text>
                  </Space>
                </List.Item>
              )}
            />
          ) : (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('agentHome.noDueTickets')} />
          )}
        </Card>
      </Col>
      <Col xs={24} xl={12}>
        <Card title={t('agentHome.notices')} size="small" data-testid="agent-home-notices">
          {messages.length === 0 ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('agentHome.noNotices')} />
          ) : (
            <List
              size="small"
              dataSource={messages}
              renderItem={(n) => (
                <List.Item data-testid="agent-home-notice">
                  <Space direction="vertical" size={0}>
                    <span>{n.text}</span>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>{n.from} · {dayjs(n.at).format('HH:mm')}</Typography.Text>
                  </Space>
                </List.Item>
              )}
            />
          )}
        </Card>
      </Col>
    </Row>
  );
}
