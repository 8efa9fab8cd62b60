/**
 * 坐席状态 panel of the agent console: the state as the server knows it, time in state, the
 * 整理 countdown, and the agent's commands. Reads stores/agent-state-store; acts through
 * services/agent-state (which gates 示闲 on the softphone and device check).
 *
 * E2E test ids: agent-state (data-kind, data-reason, data-held), agent-state-timer and
 * wrap-up-countdown (data-seconds), agent-state-sign-in, agent-state-ready,
 * agent-state-not-ready (click opens the menu; options agent-state-not-ready-<code>),
 * agent-state-break (options agent-state-break-<code>), agent-state-wrap-up-done,
 * agent-state-sign-out (Popconfirm; OK is agent-state-sign-out-confirm), agent-state-error
 * (data-kind: refused | failed | gate, data-code), agent-state-recheck, agent-state-checking,
 * break-overrun (小休 past its maximum; the timer then has data-overrun="true" and turns red).
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { Alert, Button, Card, Dropdown, Popconfirm, Space, Spin, Tag, Tooltip, Typography, type ButtonProps, type MenuProps } from 'antd';
import { CheckCircleOutlined, CoffeeOutlined, DownOutlined, LoginOutlined, LogoutOutlined, PauseCircleOutlined } from '@ant-design/icons';
import type { AgentStatus } from '../../../../../shared/api/agent-state.js';
import { dismissAgentStateError, goReady, reloadAgentState, sendAgentCommand } from '../../../services/agent-state';
import { softphone } from '../../../services/softphone';
import { useAgentStateStore, type AgentCommandType, type AgentReasons, type AgentStateError } from '../../../stores/agent-state-store';
import { hasLiveCall, useSoftphoneStore } from '../../../stores/softphone-store';
import { agentButtons, breakOverrun, formatElapsed, reasonEnabled, secondsSince, secondsUntil, stateColor, stateText } from './agent-state-view';
import { assertNever } from '../../../app/assert-never';

/** Re-renders every `ms` while `active`, returning the current time. */
function useNow(ms: number, active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms, active]);
  return now;
}

const commandAction: Record<AgentCommandType, 'signIn' | 'signOut' | 'ready' | 'notReady' | 'break' | 'wrapUpDone'> = {
  sign_in: 'signIn',
  sign_out: 'signOut',
  ready: 'ready',
  not_ready: 'notReady',
  break: 'break',
  wrap_up_done: 'wrapUpDone',
};

function errorMessage(error: AgentStateError, t: TFunction): string {
  switch (error.kind) {
    case 'refused':
      return t('agentState.refused', { action: t(`agentState.actions.${commandAction[error.command]}`), message: error.message });
    case 'failed': {
      const reason = [t(`errors.${error.code}`), ...error.issues].join('；');
      return error.command === 'load'
        ? t('agentState.loadFailed', { reason })
        : t('agentState.failed', { action: t(`agentState.actions.${commandAction[error.command]}`), reason });
    }
    case 'gate':
      return t(`agentState.gate.${error.refusal}`);
    default:
      return assertNever(error);
  }
}

function ErrorAlert({ error }: { error: AgentStateError }) {
  const { t } = useTranslation();
  const checking = useSoftphoneStore((s) => s.deviceCheck.status === 'running');
  const action =
    error.kind === 'gate' && error.refusal === 'micFailed' ? (
      <Button size="small" loading={checking} onClick={() => void softphone().runDeviceCheck()} data-testid="agent-state-recheck">
        {t('agentState.recheck')}
      </Button>
    ) : error.kind === 'failed' && error.command === 'load' ? (
      <Button size="small" onClick={reloadAgentState}>
        {t('common.retry')}
      </Button>
    ) : undefined;
  return (
    <Alert
      type={error.kind === 'gate' ? 'warning' : 'error'}
      showIcon
      closable={{ onClose: dismissAgentStateError }}
      title={errorMessage(error, t)}
      action={action}
      data-testid="agent-state-error"
      data-kind={error.kind}
      data-code={error.kind === 'gate' ? error.refusal : error.kind === 'failed' ? error.code : 'CONFLICT'}
      style={{ marginTop: 12 }}
    />
  );
}

function StateLine({ status, reasons }: { status: AgentStatus; reasons: AgentReasons | null }) {
  const { t } = useTranslation();
  const { state } = status;
  const now = useNow(500, true);
  const inState = secondsSince(status.since, now);
  const wrapUpLeft = state.kind === 'after_call_work' && status.wrapUpDeadline ? secondsUntil(status.wrapUpDeadline, now) : null;
  const pushedOverrun = useAgentStateStore((s) => s.overrun);
  const overrun = breakOverrun(status, reasons, pushedOverrun, now);
  return (
    <>
      <Space align="center" wrap size="large">
        <Tag
          color={stateColor[state.kind]}
          style={{ fontSize: 20, lineHeight: '36px', paddingInline: 16, margin: 0 }}
          data-testid="agent-state"
          data-kind={state.kind}
          data-reason={'reason' in state ? state.reason : ''}
          data-held={state.kind === 'on_call' ? String(state.held) : undefined}
        >
          {stateText(state, reasons, t)}
        </Tag>
        <Typography.Text type="secondary">
          {t('agentState.inState')}{' '}
          <Typography.Text
            code
            type={overrun ? 'danger' : undefined}
            strong={overrun !== null}
            data-testid="agent-state-timer"
            data-seconds={inState ?? undefined}
            data-overrun={overrun ? 'true' : undefined}
          >
            {inState === null ? t('common.none') : formatElapsed(inState * 1000)}
          </Typography.Text>
        </Typography.Text>
        {wrapUpLeft !== null && (
          <Typography.Text type="secondary">
            {t('agentState.wrapUpLeft')}{' '}
            <Typography.Text code type={wrapUpLeft <= 10 ? 'danger' : undefined} data-testid="wrap-up-countdown" data-seconds={wrapUpLeft}>
              {formatElapsed(wrapUpLeft * 1000)}
            </Typography.Text>
          </Typography.Text>
        )}
      </Space>
      {overrun && (
        <Alert
          type="error"
          showIcon
          style={{ marginTop: 12 }}
          data-testid="break-overrun"
          title={t('agentState.breakOverrun', { over: formatElapsed(overrun.overSeconds * 1000), max: formatElapsed(overrun.maxSeconds * 1000) })}
        />
      )}
    </>
  );
}

function Controls({ status, reasons }: { status: AgentStatus; reasons: AgentReasons | null }) {
  const { t } = useTranslation();
  const pending = useAgentStateStore((s) => s.pending);
  const liveCall = useSoftphoneStore((s) => hasLiveCall(s.calls));
  const { state } = status;
  const buttons = agentButtons(state, { busy: pending !== null, liveCall });
  const loading = (command: AgentCommandType): boolean => pending?.command === command;

  const reasonMenu = (kind: 'not_ready' | 'break', list: readonly { code: string; label: string }[]): MenuProps => {
    const prefix = kind === 'not_ready' ? 'agent-state-not-ready' : 'agent-state-break';
    const items: MenuProps['items'] = list.map((r) => ({
      key: r.code,
      label: r.label,
      disabled: !reasonEnabled(state, kind, r.code),
      'data-testid': `${prefix}-${r.code}`,
    }));
    return {
      items,
      onClick: ({ key }) => void sendAgentCommand({ type: kind, reason: key }),
    };
  };

  return (
    <Space wrap style={{ marginTop: 16 }}>
      {buttons.signIn.visible && (
        <Button
          type="primary"
          icon={<LoginOutlined />}
          disabled={!buttons.signIn.enabled}
          loading={loading('sign_in')}
          onClick={() => void sendAgentCommand({ type: 'sign_in' })}
          data-testid="agent-state-sign-in"
        >
          {t('agentState.actions.signIn')}
        </Button>
      )}
      <Button
        type="primary"
        icon={<CheckCircleOutlined />}
        style={buttons.ready.enabled ? { background: '#52c41a' } : undefined}
        disabled={!buttons.ready.enabled}
        loading={loading('ready')}
        onClick={() => void goReady()}
        data-testid="agent-state-ready"
      >
        {t('agentState.actions.ready')}
      </Button>
      <Dropdown menu={reasonMenu('not_ready', reasons?.notReady ?? [])} trigger={['click']} disabled={!buttons.notReady.enabled}>
        <Button icon={<PauseCircleOutlined />} disabled={!buttons.notReady.enabled} loading={loading('not_ready')} data-testid="agent-state-not-ready">
          {t('agentState.actions.notReady')} <DownOutlined />
        </Button>
      </Dropdown>
      <Dropdown menu={reasonMenu('break', reasons?.break ?? [])} trigger={['click']} disabled={!buttons.break.enabled}>
        <Button icon={<CoffeeOutlined />} disabled={!buttons.break.enabled} loading={loading('break')} data-testid="agent-state-break">
          {t('agentState.actions.break')} <DownOutlined />
        </Button>
      </Dropdown>
      {buttons.wrapUpDone.visible && (
        <Button
          type="primary"
          style={buttons.wrapUpDone.enabled ? { background: '#722ed1' } : undefined}
          disabled={!buttons.wrapUpDone.enabled}
          loading={loading('wrap_up_done')}
          onClick={() => void sendAgentCommand({ type: 'wrap_up_done' })}
          data-testid="agent-state-wrap-up-done"
        >
          {t('agentState.actions.wrapUpDone')}
        </Button>
      )}
      {buttons.signOut.visible && (
        <Popconfirm
          title={t('agentState.signOutConfirm')}
          description={t('agentState.signOutNote')}
          okText={t('agentState.actions.signOut')}
          cancelText={t('common.cancel')}
          disabled={!buttons.signOut.enabled}
          onConfirm={() => void sendAgentCommand({ type: 'sign_out' })}
          okButtonProps={{ danger: true, 'data-testid': 'agent-state-sign-out-confirm' } as ButtonProps}
        >
          <Tooltip title={liveCall ? t('agentState.signOutLiveCall') : undefined}>
            <Button danger icon={<LogoutOutlined />} disabled={!buttons.signOut.enabled} loading={loading('sign_out')} data-testid="agent-state-sign-out">
              {t('agentState.actions.signOut')}
            </Button>
          </Tooltip>
        </Popconfirm>
      )}
    </Space>
  );
}

export function AgentStatePanel() {
  const { t } = useTranslation();
  const status = useAgentStateStore((s) => s.status);
  const reasons = useAgentStateStore((s) => s.reasons);
  const error = useAgentStateStore((s) => s.error);
  const checking = useAgentStateStore((s) => s.pending?.command === 'ready' && s.pending.phase === 'checking');
  return (
    <Card title={t('agentConsole.agentState')} data-testid="panel-agentState">
      {status ? (
        <>
          <StateLine status={status} reasons={reasons} />
          <Controls status={status} reasons={reasons} />
        </>
      ) : (
        !error && (
          <Space>
            <Spin size="small" />
            <Typography.Text type="secondary">{t('agentState.loading')}</Typography.Text>
          </Space>
        )
      )}
      {checking && (
        <Alert type="info" showIcon title={t('agentState.checking')} style={{ marginTop: 12 }} data-testid="agent-state-checking" />
      )}
      {error && <ErrorAlert error={error} />}
    </Card>
  );
}
