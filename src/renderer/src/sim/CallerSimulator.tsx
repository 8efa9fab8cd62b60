/**
 * 来电模拟器: registers as a citizen number (POST /api/sim/profile, demo sites only), calls
 * the hotline or an extension, answers callbacks, sends and records DTMF, follows transfers
 * (REFER is accepted and followed by the engine).
 *
 * URL parameters (optional): number, autoAnswer=1, register=1, tone=<Hz> (send a sine
 * instead of the microphone), target=<number to prefill>.
 *
 * E2E test ids: sim-number, sim-register (toggles 注册/注销), sim-registration-status
 * (data-status), sim-auto-answer (switch), sim-dial-target, sim-dial, sim-dial-hotline,
 * sim-dial-error, sim-answer, sim-hangup, sim-call-status (data-status:
 * idle|ringing|calling|established|ended; text includes why it ended, e.g. 对方忙 (486)),
 * sim-remote, sim-call-timer, sim-dtmf-pad / sim-dtmf-<d>, sim-dtmf-received (digits in
 * order; data-digits too).
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { App as AntApp, Alert, Button, Card, ConfigProvider, Form, Input, Layout, Select, Space, Switch, Tag, Typography } from 'antd';
import antdZhCN from 'antd/locale/zh_CN';
import { api } from '../../../shared/api/index.js';
import { errorText } from '../i18n/error-text';
import { call } from '../services/session';
import { softphone } from '../services/softphone';
import { currentCall, useSoftphoneStore, type CallStatusView } from '../stores/softphone-store';
import { CallTimer } from '../features/softphone/CallTimer';
import { DtmfPad } from '../features/softphone/DtmfPad';
import { RegistrationBadge } from '../features/softphone/RegistrationBadge';
import { SoftphoneNotices } from '../features/softphone/SoftphoneNotices';
import { endText } from '../features/softphone/call-text';

const params = new URLSearchParams(window.location.search);
const statusColor: Record<CallStatusView, string> = { idle: 'default', ringing: 'orange', calling: 'blue', established: 'green', held: 'gold', ended: 'default' };
const TONES = [440, 660, 880, 1000] as const;

/** The simulator shows the remote side's view: a held call is still "established" for it. */
function simStatus(status: CallStatusView): CallStatusView {
  return status === 'held' ? 'established' : status;
}

function Simulator() {
  const { t } = useTranslation();
  const [number, setNumber] = useState(params.get('number') ?? '13800138000');
  const [target, setTarget] = useState(params.get('target') ?? '');
  const [tone, setTone] = useState<number | null>(params.get('tone') ? Number(params.get('tone')) : null);
  const [profileError, setProfileError] = useState<string | null>(null);
  const registration = useSoftphoneStore((s) => s.registration.status);
  const identity = useSoftphoneStore((s) => s.identity);
  const autoAnswer = useSoftphoneStore((s) => s.settings.autoAnswer);
  const dialError = useSoftphoneStore((s) => s.dialError);
  const current = currentCall(useSoftphoneStore((s) => s.calls));
  const status = simStatus(current?.status ?? 'idle');
  const active = registration !== 'unregistered';

  useEffect(() => softphone().setTone(tone), [tone]);

  const register = async (): Promise<void> => {
    setProfileError(null);
    const phone = softphone();
    if (phone.running) {
      await phone.stop();
      return;
    }
    await phone.start(async () => {
      try {
        return await call(api.simulatorProfile, { body: { number: number.trim() } });
      } catch (err) {
        setProfileError(errorText(err, t));
        throw err;
      }
    });
  };

  useEffect(() => {
    if (params.get('autoAnswer') === '1') softphone().setAutoAnswer(true);
    if (params.get('register') === '1') void register();
    // once, on load
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const dial = (to: string): void => {
    softphone().dial(to);
  };

  return (
    <Card
      title={t('sim.title')}
      extra={<RegistrationBadge testId="sim-registration-status" />}
      style={{ maxWidth: 560, margin: '24px auto' }}
      data-testid="caller-simulator"
    >
      <Typography.Paragraph type="secondary">{t('sim.demoOnly')}</Typography.Paragraph>
      <Form layout="horizontal" labelCol={{ flex: '88px' }} colon={false}>
        <Form.Item label={t('sim.number')}>
          <Space.Compact style={{ width: '100%' }}>
            <Input value={number} onChange={(e) => setNumber(e.target.value)} disabled={active} inputMode="tel" data-testid="sim-number" />
            <Button type={active ? 'default' : 'primary'} onClick={() => void register()} data-testid="sim-register">
              {active ? t('sim.unregister') : t('sim.register')}
            </Button>
          </Space.Compact>
        </Form.Item>
        {profileError && <Alert type="error" showIcon title={t('sim.profileFailed', { reason: profileError })} style={{ marginBottom: 16 }} />}
        <Form.Item label={t('sim.autoAnswer')}>
          <Switch checked={autoAnswer} onChange={(on) => softphone().setAutoAnswer(on)} data-testid="sim-auto-answer" />
        </Form.Item>
        <Form.Item label={t('sim.source')}>
          <Select<number | ''>
            value={tone ?? ''}
            onChange={(v) => setTone(v === '' ? null : v)}
            options={[{ value: '' as const, label: t('sim.sourceMic') }, ...TONES.map((hz) => ({ value: hz, label: t('sim.sourceTone', { hz }) }))]}
            data-testid="sim-source"
            style={{ width: 200 }}
          />
        </Form.Item>
        <Form.Item label={t('sim.target')}>
          <Space.Compact style={{ width: '100%' }}>
            <Input
              value={target}
              onChange={(e) => {
                setTarget(e.target.value);
                if (dialError) softphone().clearDialError();
              }}
              onPressEnter={() => dial(target)}
              placeholder={identity?.hotlineNumber ?? '12345'}
              inputMode="tel"
              data-testid="sim-dial-target"
            />
            <Button type="primary" onClick={() => dial(target || identity?.hotlineNumber || '')} data-testid="sim-dial">
              {t('sim.dial')}
            </Button>
          </Space.Compact>
          {identity && (
            <Button type="link" onClick={() => dial(identity.hotlineNumber)} data-testid="sim-dial-hotline" style={{ paddingInline: 0 }}>
              {t('sim.callHotline', { number: identity.hotlineNumber })}
            </Button>
          )}
          {dialError && (
            <div>
              <Typography.Text type="danger" data-testid="sim-dial-error" data-issue={dialError.issue}>
                {t(`softphone.issues.${dialError.issue}`)}
                {dialError.sipCode ? ` (${dialError.sipCode})` : ''}
              </Typography.Text>
            </div>
          )}
        </Form.Item>
      </Form>

      <Space orientation="vertical" style={{ width: '100%' }}>
        <Space wrap align="center">
          <Tag color={statusColor[status]} data-testid="sim-call-status" data-status={status} data-end-reason={current?.end?.reason} data-sip-code={current?.end?.sipCode ?? undefined}>
            {current?.status === 'ended' ? endText(current, t) : t(`softphone.callStatus.${status}`)}
          </Tag>
          {current && (
            <Typography.Text strong data-testid="sim-remote">
              {t('sim.remote')}：{current.remoteNumber}
            </Typography.Text>
          )}
          {current?.answeredAt != null && <CallTimer since={current.answeredAt} until={current.endedAt} testId="sim-call-timer" />}
        </Space>
        <Space>
          <Button type="primary" disabled={current?.status !== 'ringing'} onClick={() => current && void softphone().answer(current.id)} data-testid="sim-answer">
            {t('sim.answer')}
          </Button>
          <Button danger disabled={!current || current.status === 'ended'} onClick={() => current && softphone().hangup(current.id)} data-testid="sim-hangup">
            {t('sim.hangup')}
          </Button>
        </Space>
        <Typography.Text type="secondary">{t('sim.keypad')}</Typography.Text>
        <DtmfPad
          padTestId="sim-dtmf-pad"
          keyTestId="sim-dtmf"
          disabled={current?.status !== 'established' && current?.status !== 'held'}
          onDigit={(d) => current && softphone().sendDtmf(current.id, d)}
        />
        <div>
          <Typography.Text type="secondary">{t('sim.dtmfReceived')}：</Typography.Text>
          <span data-testid="sim-dtmf-received" data-digits={current?.dtmfReceived ?? ''}>
            {[...(current?.dtmfReceived ?? '')].map((d, i) => (
              <Tag key={i}>{d}</Tag>
            ))}
          </span>
          <div>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('sim.dtmfNote')}
            </Typography.Text>
          </div>
        </div>
      </Space>
    </Card>
  );
}

export function CallerSimulator() {
  return (
    <ConfigProvider locale={antdZhCN}>
      <AntApp>
        <SoftphoneNotices />
        <Layout style={{ minHeight: '100vh', background: '#f5f5f5' }}>
          <Simulator />
        </Layout>
      </AntApp>
    </ConfigProvider>
  );
}
