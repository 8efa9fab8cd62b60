/**
 * 设备设置 and 设备检测: microphone, speaker and ring device (remembered; switchable during a
 * call), auto-answer, and the check an agent runs before going ready.
 *
 * E2E: the device pickers are antd Selects (`device-mic`, `device-speaker`, `device-ring` on
 * the root). Click one to open it, then click an option: `device-<kind>-option-default`
 * (系统默认) or `device-<kind>-option-<n>` (n = 1, 2, … in the browser's device order).
 */
import { useTranslation } from 'react-i18next';
import { Alert, Button, Form, Progress, Select, Space, Switch, Tag } from 'antd';
import { softphone } from '../../services/softphone';
import { useSoftphoneStore, type DeviceCheckItem, type DeviceKind, type DeviceOption } from '../../stores/softphone-store';

const checkItems: readonly DeviceCheckItem[] = ['microphone', 'speaker', 'ring', 'registration', 'mediaPath'];

function DevicePicker({ kind, list, disabled }: { kind: DeviceKind; list: DeviceOption[]; disabled?: boolean }) {
  const { t } = useTranslation();
  const selected = useSoftphoneStore((s) => s.devices.selected[kind]);
  const options = [
    { value: '', label: t('softphone.systemDefault'), 'data-testid': `device-${kind}-option-default` },
    ...list.map((d, i) => ({ value: d.id, label: d.label, 'data-testid': `device-${kind}-option-${i + 1}` })),
  ];
  // A remembered device that is not listed (yet) shows as the default.
  const value = list.some((d) => d.id === selected) ? selected : '';
  return (
    <Select
      data-testid={`device-${kind}`}
      value={value}
      options={options}
      virtual={false}
      disabled={disabled}
      onChange={(id: string) => softphone().chooseDevice(kind, id)}
      onOpenChange={(open) => {
        if (open) void softphone().refreshDevices();
      }}
      style={{ width: '100%' }}
      popupMatchSelectWidth={false}
    />
  );
}

/** dBFS → 0–100 for the meter (−80 dB … 0 dB). */
const meterPercent = (db: number | null): number => (db === null ? 0 : Math.max(0, Math.min(100, ((db + 80) / 80) * 100)));

export function DeviceSettings() {
  const { t } = useTranslation();
  const devices = useSoftphoneStore((s) => s.devices);
  const settings = useSoftphoneStore((s) => s.settings);
  const check = useSoftphoneStore((s) => s.deviceCheck);
  const micLevel = useSoftphoneStore((s) => s.micLevelDb);
  const running = check.status === 'running';
  return (
    <div data-testid="device-settings">
      <Form layout="horizontal" labelCol={{ flex: '88px' }} colon={false} size="small">
        <Form.Item label={t('softphone.mic')} style={{ marginBottom: 8 }}>
          <DevicePicker kind="mic" list={devices.microphones} />
        </Form.Item>
        <Form.Item label={t('softphone.speaker')} style={{ marginBottom: 8 }} extra={devices.canSelectOutput ? undefined : t('softphone.outputNotSelectable')}>
          <DevicePicker kind="speaker" list={devices.speakers} disabled={!devices.canSelectOutput} />
        </Form.Item>
        <Form.Item label={t('softphone.ring')} style={{ marginBottom: 8 }}>
          <DevicePicker kind="ring" list={devices.speakers} disabled={!devices.canSelectOutput} />
        </Form.Item>
        <Form.Item label={t('softphone.autoAnswer')} style={{ marginBottom: 8 }}>
          <Switch checked={settings.autoAnswer} onChange={(on) => softphone().setAutoAnswer(on)} data-testid="auto-answer-switch" />
        </Form.Item>
        <Form.Item label={t('softphone.audioProcessing')} style={{ marginBottom: 8 }}>
          <Switch checked={settings.audioProcessing} onChange={(on) => softphone().setAudioProcessing(on)} data-testid="audio-processing-switch" />
        </Form.Item>
      </Form>
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Space wrap>
          <Button onClick={() => void softphone().runDeviceCheck()} loading={running} data-testid="device-check-button">
            {t('softphone.deviceCheck')}
          </Button>
          {checkItems.map((item) => (
            <Tag
              key={item}
              color={check.items[item] === 'ok' ? 'green' : check.items[item] === 'failed' ? 'red' : 'default'}
              data-testid={`device-check-${item}`}
              data-status={check.items[item]}
            >
              {t(`softphone.checkItems.${item}`)}
            </Tag>
          ))}
        </Space>
        {running && (
          <div>
            {t('softphone.micLevel')}
            <Progress percent={meterPercent(micLevel)} showInfo={false} size="small" data-testid="mic-level" />
          </div>
        )}
        <Alert
          data-testid="device-check-result"
          data-status={check.status}
          type={check.status === 'passed' ? 'success' : check.status === 'failed' ? 'error' : 'info'}
          showIcon
          title={t(`softphone.deviceCheckStatus.${check.status}`)}
          description={
            check.failures.length > 0 ? (
              <ul style={{ margin: 0, paddingInlineStart: 18 }}>
                {check.failures.map((f) => (
                  <li key={f}>{t(`softphone.issues.${f}`)}</li>
                ))}
              </ul>
            ) : undefined
          }
        />
      </Space>
    </div>
  );
}
