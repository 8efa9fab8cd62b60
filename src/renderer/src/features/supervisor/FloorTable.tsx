/** The wallboard's agent table: state, ticking time in state, current call, monitoring, and per-agent actions. */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { App, Button, Input, Modal, Popconfirm, Space, Table, Tag, Tooltip } from 'antd';
import type { FloorAgent, MonitorMode } from '../../../../shared/api/supervisor.js';
import { api } from '../../../../shared/api/index.js';
import { isApiCallError } from '../../services/api-client';
import { call } from '../../services/session';
import { supervisorPhone } from '../../services/supervision/supervisor-phone';
import type { AgentReasons } from '../../stores/agent-state-store';
import { formatElapsed, stateColor } from '../agent-console/agent-state/agent-state-view';
import { callSeconds, highlightOf, rowActions, secondsInState, type Thresholds } from './wallboard-view';

const highlightBg = { long_call: '#fff1f0', long_break: '#fff7e6', long_acw: '#f9f0ff' } as const;

export interface FloorTableProps {
  agents: FloorAgent[];
  groupNames: Record<string, string>;
  reasons: AgentReasons | null;
  thresholds: Thresholds;
  now: number;
}

export function FloorTable({ agents, groupNames, reasons, thresholds, now }: FloorTableProps) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [messageTo, setMessageTo] = useState<FloorAgent | null>(null);
  const [text, setText] = useState('');

  const reasonLabel = (kind: string, code: string): string => {
    const list = kind === 'break' ? reasons?.break : reasons?.notReady;
    const site = list?.find((r) => r.code === code)?.label;
    if (site) return site;
    const key = `agentState.systemReasons.${code}`;
    const sys = t(key as 'agentState.systemReasons.supervisor');
    return sys === key ? code : sys;
  };

  const run = async (fn: () => Promise<unknown>): Promise<void> => {
    try {
      await fn();
      void message.success(t('supervisor.done'));
    } catch (err) {
      void message.error(isApiCallError(err) ? err.message : String(err));
    }
  };
  const monitor = (a: FloorAgent, mode: MonitorMode) => void supervisorPhone().start(a.agentId, a.displayName, mode);

  return (
    <>
      <Table<FloorAgent>
        data-testid="floor-table"
        size="small"
        rowKey="agentId"
        pagination={false}
        dataSource={agents}
        locale={{ emptyText: t('supervisor.noAgents') }}
        onRow={(a) => {
          const h = highlightOf(a, now, thresholds);
          return { 'data-testid': `floor-row-${a.username}`, 'data-state': a.status.state.kind, 'data-highlight': h ?? '', style: h ? { background: highlightBg[h] } : {} } as React.HTMLAttributes<HTMLElement>;
        }}
        columns={[
          {
            title: t('supervisor.columns.agent'),
            key: 'agent',
            render: (_, a) => (
              <span>
                {a.displayName} <Tag>{a.extension ?? '—'}</Tag>
              </span>
            ),
          },
          { title: t('supervisor.columns.group'), key: 'group', render: (_, a) => a.groupIds.map((g) => groupNames[g] ?? '').filter(Boolean).join('、') },
          {
            title: t('supervisor.columns.state'),
            key: 'state',
            render: (_, a) => {
              const s = a.status.state;
              const reason = 'reason' in s ? reasonLabel(s.kind, s.reason) : null;
              return (
                <Tag color={stateColor[s.kind]} data-testid={`floor-state-${a.username}`} data-state={s.kind}>
                  {t(`agentState.kinds.${s.kind}`)}
                  {reason ? ` · ${reason}` : ''}
                  {s.kind === 'on_call' && s.held ? ` · ${t('agentState.held')}` : ''}
                </Tag>
              );
            },
          },
          {
            title: t('supervisor.columns.inState'),
            key: 'inState',
            render: (_, a) => {
              const h = highlightOf(a, now, thresholds);
              const time = <span data-testid={`floor-time-${a.username}`}>{a.status.state.kind === 'signed_out' && secondsInState(a, now) > 86_400 * 365 ? '—' : formatElapsed(secondsInState(a, now) * 1000)}</span>;
              return h ? (
                <Tooltip title={t(`supervisor.highlight.${h}`)}>
                  <Tag color="red">{time}</Tag>
                </Tooltip>
              ) : (
                time
              );
            },
          },
          {
            title: t('supervisor.columns.call'),
            key: 'call',
            render: (_, a) =>
              a.liveCall ? (
                <span data-testid={`floor-call-${a.username}`}>
                  {t(a.liveCall.direction === 'inbound' ? 'supervisor.inbound' : 'supervisor.outbound')} {a.liveCall.remoteNumber} · {formatElapsed((callSeconds(a, now) ?? 0) * 1000)}
                </span>
              ) : null,
          },
          {
            title: t('supervisor.columns.today'),
            key: 'today',
            render: (_, a) => (
              <span data-testid={`floor-today-${a.username}`} data-answered={a.today.answered} data-missed={a.today.missed} data-aht={a.today.avgHandleSeconds ?? ''}>
                {t('supervisor.today.answered', { n: a.today.answered })} · {t('supervisor.today.missed', { n: a.today.missed })}
                {a.today.avgHandleSeconds !== null ? ` · ${t('supervisor.today.aht', { time: formatElapsed(Math.round(a.today.avgHandleSeconds) * 1000) })}` : ''}
              </span>
            ),
          },
          {
            title: t('supervisor.columns.monitor'),
            key: 'monitor',
            render: (_, a) =>
              a.monitor ? (
                <Tag color="magenta" data-testid={`floor-monitor-${a.username}`} data-mode={a.monitor.mode}>
                  {t('supervisor.monitoredBy', { name: a.monitor.supervisorName, mode: t(`supervisor.modes.${a.monitor.mode}`) })}
                </Tag>
              ) : null,
          },
          {
            title: t('supervisor.columns.actions'),
            key: 'actions',
            render: (_, a) => {
              const can = rowActions(a);
              return (
                <Space size={4} wrap>
                  {(['listen', 'whisper', 'barge'] as const).map((m) => (
                    <Button key={m} size="small" disabled={!can.monitor} onClick={() => monitor(a, m)} data-testid={`action-${m}-${a.username}`}>
                      {t(`supervisor.modes.${m}`)}
                    </Button>
                  ))}
                  <Button size="small" disabled={!can.notReady} data-testid={`action-not-ready-${a.username}`}
                    onClick={() => void run(() => call(api.forceNotReady, { params: { id: a.agentId } }))}>
                    {t('supervisor.actions.notReady')}
                  </Button>
                  <Popconfirm
                    title={t(can.signOutOnCall ? 'supervisor.signOutOnCallConfirm' : 'supervisor.signOutConfirm', { name: a.displayName })}
                    onConfirm={() => void run(() => call(api.forceSignOut, { params: { id: a.agentId }, body: { confirmOnCall: can.signOutOnCall } }))}
                  >
                    <Button size="small" danger disabled={!can.signOut} data-testid={`action-sign-out-${a.username}`}>
                      {t('supervisor.actions.signOut')}
                    </Button>
                  </Popconfirm>
                  <Button size="small" data-testid={`action-message-${a.username}`} onClick={() => { setText(''); setMessageTo(a); }}>
                    {t('supervisor.actions.message')}
                  </Button>
                </Space>
              );
            },
          },
        ]}
      />
      <Modal
        open={messageTo !== null}
        title={messageTo ? t('supervisor.messageTitle', { name: messageTo.displayName }) : ''}
        okText={t('supervisor.send')}
        okButtonProps={{ disabled: text.trim() === '', ...({ 'data-testid': 'message-send' } as Record<string, string>) }}
        onCancel={() => setMessageTo(null)}
        onOk={() => {
          const to = messageTo;
          if (!to) return;
          setMessageTo(null);
          void run(() => call(api.messageAgent, { params: { id: to.agentId }, body: { text } }));
        }}
      >
        <Input.TextArea data-testid="message-text" rows={3} maxLength={500} value={text} placeholder={t('supervisor.messagePlaceholder')} onChange={(e) => setText(e.target.value)} />
      </Modal>
    </>
  );
}
