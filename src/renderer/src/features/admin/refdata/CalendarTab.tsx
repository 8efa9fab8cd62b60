/**
 * 工作日历: one year's admin overrides on top of the official calendar (chinese-days) —
 * extra holidays and make-up workdays. Edits are a local draft until 保存调整, which
 * replaces the year's overrides (PUT /api/refdata/calendar/:year); the lists below show
 * the year as the server computes it from the saved overrides.
 *
 * E2E: `calendar-year` (year input), `calendar-add-date` (date picker: type YYYY-MM-DD,
 * Enter), `calendar-add-kind-holiday|workday`, `calendar-add-note`, `calendar-add`,
 * rows `calendar-override-<date>` with `calendar-remove-<date>`, `calendar-save`.
 */
import { useState, type HTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import dayjs, { type Dayjs } from 'dayjs';
import { Alert, App, Button, Card, DatePicker, Input, InputNumber, Radio, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { api, type ResponseOf } from '../../../../../shared/api/index.js';
import { errorText, issueMessages } from '../../../i18n/error-text';
import { useRemote } from '../../../app/use-remote';
import { call } from '../../../services/session';
import { addOverride, overridesChanged, removeOverride, type CalendarOverride } from './refdata-model';

type CalendarYear = ResponseOf<typeof api.getCalendarYear>;

export function CalendarTab() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [year, setYear] = useState(dayjs().year());
  const remote = useRemote((signal) => call(api.getCalendarYear, { params: { year } }, { signal }), [year]);
  // The answer of the last save, shown until a reload brings the same.
  const [saved, setSaved] = useState<CalendarYear | null>(null);
  const [draft, setDraft] = useState<CalendarOverride[] | null>(null);
  const [pick, setPick] = useState<Dayjs | null>(null);
  const [isWorkday, setIsWorkday] = useState(false);
  const [note, setNote] = useState('');
  const [saving, setSaving] = useState(false);

  const view = saved?.year === year ? saved : remote.data?.year === year ? remote.data : undefined;
  const overrides = draft ?? view?.overrides ?? [];
  const dirty = view !== undefined && overridesChanged(view.overrides, overrides);

  const changeYear = (y: number | null): void => {
    if (y === null || y < 2000 || y > 2100) return;
    setYear(y);
    setDraft(null);
    setPick(null);
  };

  const add = (): void => {
    if (!pick) return void message.warning(t('refdata.calendar.pickDate'));
    const date = pick.format('YYYY-MM-DD');
    const edit = addOverride(overrides, year, { date, isWorkday, note: note.trim() || null });
    if (!edit.ok) return void message.warning(edit.reason === 'duplicate' ? t('refdata.calendar.duplicate', { date }) : t('refdata.calendar.wrongYear', { year }));
    setDraft(edit.overrides);
    setPick(null);
    setNote('');
  };

  const save = async (): Promise<void> => {
    setSaving(true);
    try {
      setSaved(await call(api.putCalendarYear, { params: { year }, body: { overrides } }));
      setDraft(null);
      void message.success(t('refdata.saved'));
    } catch (err) {
      void message.error([errorText(err, t), ...issueMessages(err)].join('：'));
    } finally {
      setSaving(false);
    }
  };

  const columns: TableColumnsType<CalendarOverride> = [
    { title: t('refdata.calendar.date'), key: 'date', render: (_, o) => `${o.date}（${dayjs(o.date).format('ddd')}）` },
    {
      title: t('refdata.calendar.kind'),
      key: 'kind',
      render: (_, o) => (o.isWorkday ? <Tag color="blue">{t('refdata.calendar.workday')}</Tag> : <Tag color="red">{t('refdata.calendar.holiday')}</Tag>),
    },
    { title: t('refdata.calendar.note'), key: 'note', render: (_, o) => o.note ?? t('common.none') },
    {
      title: t('refdata.actions'),
      key: 'actions',
      render: (_, o) => (
        <Button type="link" size="small" danger onClick={() => setDraft(removeOverride(overrides, o.date))} data-testid={`calendar-remove-${o.date}`}>
          {t('refdata.calendar.remove')}
        </Button>
      ),
    },
  ];
  const dates = (list: readonly string[]) =>
    list.length ? (
      <Space wrap size={[4, 4]}>
        {list.map((d) => (
          <Tag key={d}>{d.slice(5)}</Tag>
        ))}
      </Space>
    ) : (
      t('common.none')
    );

  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="refdata-calendar">
      <Typography.Paragraph type="secondary">{t('refdata.calendar.hint')}</Typography.Paragraph>
      {remote.error !== undefined && <Alert type="error" showIcon title={t('common.loadFailed', { reason: errorText(remote.error, t) })} />}
      <Space wrap>
        {t('refdata.calendar.year')}
        <InputNumber min={2000} max={2100} precision={0} value={year} onChange={changeYear} data-testid="calendar-year" />
      </Space>
      <Card
        size="small"
        title={t('refdata.calendar.overrides')}
        extra={
          <Space>
            {dirty && <Typography.Text type="warning" data-testid="calendar-unsaved">{t('refdata.calendar.unsaved')}</Typography.Text>}
            <Button type="primary" disabled={!dirty} loading={saving} onClick={() => void save()} data-testid="calendar-save">
              {t('refdata.calendar.save')}
            </Button>
          </Space>
        }
      >
        <Space wrap style={{ marginBottom: 12 }}>
          <DatePicker
            value={pick}
            onChange={setPick}
            disabledDate={(d) => d.year() !== year}
            defaultPickerValue={dayjs().year() === year ? undefined : dayjs(`${year}-01-01`)}
            data-testid="calendar-add-date"
          />
          <Radio.Group value={isWorkday} onChange={(e) => setIsWorkday(e.target.value as boolean)}>
            <Radio.Button value={false} data-testid="calendar-add-kind-holiday">{t('refdata.calendar.holiday')}</Radio.Button>
            <Radio.Button value={true} data-testid="calendar-add-kind-workday">{t('refdata.calendar.workday')}</Radio.Button>
          </Radio.Group>
          <Input placeholder={t('refdata.calendar.note')} value={note} maxLength={100} onChange={(e) => setNote(e.target.value)} style={{ width: 200 }} data-testid="calendar-add-note" />
          <Button onClick={add} data-testid="calendar-add">
            {t('refdata.calendar.add')}
          </Button>
        </Space>
        <Table<CalendarOverride>
          rowKey="date"
          size="small"
          loading={remote.loading && !view}
          columns={columns}
          dataSource={overrides}
          pagination={false}
          onRow={(o) => ({ 'data-testid': `calendar-override-${o.date}` }) as HTMLAttributes<HTMLElement>}
        />
      </Card>
      {view && (
        <Card size="small">
          <Typography.Paragraph strong>{t('refdata.calendar.holidays', { count: view.holidays.length })}</Typography.Paragraph>
          <div data-testid="calendar-holidays">{dates(view.holidays)}</div>
          <Typography.Paragraph strong style={{ marginTop: 12 }}>{t('refdata.calendar.makeUpWorkdays', { count: view.makeUpWorkdays.length })}</Typography.Paragraph>
          <div data-testid="calendar-make-up-workdays">{dates(view.makeUpWorkdays)}</div>
        </Card>
      )}
    </Space>
  );
}
