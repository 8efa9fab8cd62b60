/**
 * 软电话 panel of the agent console: registration, incoming call, in-call controls,
 * transfers, callback dialling. Reads stores/softphone-store; acts through softphone().
 *
 * E2E test ids: softphone-registration (data-status), incoming-call / incoming-caller,
 * answer-button, reject-button, call-status (data-status), call-remote, call-timer,
 * call-end-reason, hangup-button, hold-button, mute-button (data-muted), dtmf-pad / dtmf-<d>,
 * transfer-target, blind-transfer-button, consult-button, consult-status (data-status),
 * consult-complete-button, consult-cancel-button, dial-input, dial-button, dial-error.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Alert, Button, Card, Input, Space, Tag, Typography } from 'antd';
import {
  AudioMutedOutlined,
  AudioOutlined,
  PauseCircleOutlined,
  PhoneOutlined,
  PlayCircleOutlined,
  SwapOutlined,
  TeamOutlined,
} from '@ant-design/icons';
import { softphone } from '../../../services/softphone';
import {
  callStatusView,
  consultCall,
  currentCall,
  ringingCall,
  useSoftphoneStore,
  type CallStatusView,
  type CallView,
} from '../../../stores/softphone-store';
import { CallTimer } from '../../softphone/CallTimer';
import { DtmfPad } from '../../softphone/DtmfPad';
import { RegistrationBadge } from '../../softphone/RegistrationBadge';
import { endText } from '../../softphone/call-text';
import { EscalateButton } from './EscalateButton';

const statusColor: Record<CallStatusView, string> = {
  idle: 'default',
  ringing: 'orange',
  calling: 'blue',
  established: 'green',
  held: 'gold',
  ended: 'default',
};

function IncomingCall({ call }: { call: CallView }) {
  const { t } = useTranslation();
  return (
    <Card size="small" data-testid="incoming-call" data-call-id={call.id} style={{ borderColor: '#fa8c16', marginBottom: 12 }}>
      <Space align="center" wrap style={{ width: '100%', justifyContent: 'space-between' }}>
        <Space orientation="vertical" size={0}>
          <Typography.Text type="secondary">{t('softphone.incoming')}</Typography.Text>
          <Typography.Text strong style={{ fontSize: 20 }} data-testid="incoming-caller">
            {call.remoteNumber}
          </Typography.Text>
          {call.remoteName && call.remoteName !== call.remoteNumber && <Typography.Text type="secondary">{call.remoteName}</Typography.Text>}
        </Space>
        <Space>
          <Button type="primary" icon={<PhoneOutlined />} onClick={() => void softphone().answer(call.id)} data-testid="answer-button">
            {t('softphone.answer')}
          </Button>
          <Button danger onClick={() => softphone().reject(call.id)} data-testid="reject-button">
            {t('softphone.reject')}
          </Button>
        </Space>
      </Space>
    </Card>
  );
}

function Transfer({ call, consult }: { call: CallView; consult: CallView | null }) {
  const { t } = useTranslation();
  const [target, setTarget] = useState('');
  const busy = call.pending !== null;
  if (consult) {
    const consultStatus = callStatusView(consult);
    return (
      <Space wrap data-testid="consult-panel">
        <Tag color={statusColor[consultStatus]} data-testid="consult-status" data-status={consultStatus}>
          {t('softphone.consulting', { number: consult.remoteNumber })} · {t(`softphone.callStatus.${consultStatus}`)}
        </Tag>
        <Button
          type="primary"
          icon={<SwapOutlined />}
          disabled={consult.status !== 'established' || consult.pending !== null}
          loading={consult.pending === 'transfer'}
          onClick={() => softphone().completeConsult()}
          data-testid="consult-complete-button"
        >
          {t('softphone.consultComplete')}
        </Button>
        <Button onClick={() => softphone().cancelConsult()} disabled={consult.pending === 'transfer'} data-testid="consult-cancel-button">
          {t('softphone.consultCancel')}
        </Button>
      </Space>
    );
  }
  return (
    <Space.Compact style={{ width: '100%' }}>
      <Input
        value={target}
        onChange={(e) => setTarget(e.target.value)}
        placeholder={t('softphone.transferPlaceholder')}
        aria-label={t('softphone.transferTarget')}
        data-testid="transfer-target"
        inputMode="tel"
      />
      <Button icon={<SwapOutlined />} disabled={busy || call.status !== 'established' || !target.trim()} onClick={() => softphone().blindTransfer(call.id, target)} data-testid="blind-transfer-button">
        {t('softphone.blindTransfer')}
      </Button>
      <Button icon={<TeamOutlined />} disabled={busy || call.status !== 'established' || !target.trim()} onClick={() => void softphone().startConsult(target)} data-testid="consult-button">
        {t('softphone.consult')}
      </Button>
    </Space.Compact>
  );
}

function InCall({ call, consult }: { call: CallView; consult: CallView | null }) {
  const { t } = useTranslation();
  const live = call.status === 'established' || call.status === 'held';
  // Keys go to whoever the agent is talking to: the consult leg while consulting.
  const talking = consult?.status === 'established' ? consult : call.status === 'established' ? call : null;
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <Button danger type="primary" onClick={() => softphone().hangup(call.id)} data-testid="hangup-button">
          {t('softphone.hangup')}
        </Button>
        {live && (
          <>
            <Button
              icon={call.status === 'held' ? <PlayCircleOutlined /> : <PauseCircleOutlined />}
              onClick={() => void softphone().setHold(call.id, call.status !== 'held')}
              disabled={call.pending !== null || consult !== null}
              loading={call.pending === 'hold' || call.pending === 'resume'}
              data-testid="hold-button"
              data-held={call.status === 'held'}
            >
              {call.status === 'held' ? t('softphone.resume') : t('softphone.hold')}
            </Button>
            <Button
              icon={call.muted ? <AudioMutedOutlined /> : <AudioOutlined />}
              onClick={() => softphone().setMute(call.id, !call.muted)}
              data-testid="mute-button"
              data-muted={call.muted}
              danger={call.muted}
            >
              {call.muted ? t('softphone.unmute') : t('softphone.mute')}
            </Button>
            <EscalateButton disabled={call.status !== 'established' || call.pending !== null || consult !== null} />
          </>
        )}
      </Space>
      {live && (
        <>
          <Typography.Text type="secondary">{t('softphone.keypad')}</Typography.Text>
          <DtmfPad onDigit={(d) => talking && softphone().sendDtmf(talking.id, d)} disabled={!talking} />
          {(talking?.dtmfSent ?? '') !== '' && (
            <Typography.Text type="secondary" data-testid="dtmf-sent">
              {t('softphone.dtmfSent', { digits: talking?.dtmfSent })}
            </Typography.Text>
          )}
          {call.dtmfReceived !== '' && (
            <Typography.Text type="secondary" data-testid="dtmf-received">
              {t('softphone.dtmfReceived', { digits: call.dtmfReceived })}
            </Typography.Text>
          )}
          <Transfer call={call} consult={consult} />
        </>
      )}
    </Space>
  );
}

function DialBox({ disabled }: { disabled: boolean }) {
  const { t } = useTranslation();
  const [number, setNumber] = useState('');
  const dialError = useSoftphoneStore((s) => s.dialError);
  const dial = (): void => {
    softphone().dial(number);
  };
  return (
    <div>
      <Space.Compact style={{ width: '100%' }}>
        <Input
          value={number}
          onChange={(e) => {
            setNumber(e.target.value);
            if (dialError) softphone().clearDialError();
          }}
          onPressEnter={dial}
          placeholder={t('softphone.dialPlaceholder')}
          inputMode="tel"
          status={dialError ? 'error' : undefined}
          data-testid="dial-input"
        />
        <Button type="primary" icon={<PhoneOutlined />} onClick={dial} disabled={disabled} data-testid="dial-button">
          {t('softphone.dial')}
        </Button>
      </Space.Compact>
      {dialError && (
        <Typography.Text type="danger" data-testid="dial-error" data-issue={dialError.issue} data-sip-code={dialError.sipCode ?? undefined}>
          {t(`softphone.issues.${dialError.issue}`)}
          {dialError.sipCode ? ` (${dialError.sipCode})` : ''}
        </Typography.Text>
      )}
    </div>
  );
}

export function SoftphonePanel() {
  const { t } = useTranslation();
  const calls = useSoftphoneStore((s) => s.calls);
  const signalling = useSoftphoneStore((s) => s.signalling);
  const registration = useSoftphoneStore((s) => s.registration.status);
  const call = currentCall(calls);
  const consult = consultCall(calls);
  const ringing = ringingCall(calls);
  const status = callStatusView(call);
  const live = call !== null && call.status !== 'ended';
  return (
    <Card title={t('softphone.title')} extra={<RegistrationBadge />} data-testid="panel-softphone">
      {signalling !== 'connected' && live && (registration === 'reconnecting' || registration === 'failed') && (
        <Alert type="warning" showIcon title={t('softphone.signallingDown')} style={{ marginBottom: 12 }} data-testid="signalling-down" />
      )}
      {ringing && <IncomingCall call={ringing} />}
      <Space orientation="vertical" style={{ width: '100%' }} size="middle">
        <Space wrap align="center">
          <Tag color={statusColor[status]} data-testid="call-status" data-status={status} data-call-id={call?.id}>
            {t(`softphone.callStatus.${status}`)}
          </Tag>
          {call ? (
            <>
              <Typography.Text strong data-testid="call-remote">
                {call.remoteNumber}
              </Typography.Text>
              {call.answeredAt !== null && <CallTimer since={call.answeredAt} until={call.endedAt} />}
              {call.muted && live && <Tag color="red">{t('softphone.muted')}</Tag>}
              {call.status === 'ended' && (
                <Typography.Text type="secondary" data-testid="call-end-reason" data-reason={call.end?.reason} data-sip-code={call.end?.sipCode ?? undefined}>
                  {endText(call, t)}
                </Typography.Text>
              )}
            </>
          ) : (
            <Typography.Text type="secondary">{t('softphone.noCall')}</Typography.Text>
          )}
        </Space>
        {call && (call.status === 'calling' || live) && call.status !== 'ringing' && <InCall call={call} consult={consult} />}
        <DialBox disabled={live || ringing !== null} />
      </Space>
    </Card>
  );
}
