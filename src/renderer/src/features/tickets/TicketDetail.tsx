/**
 * A ticket: its facts, the timeline from its events, and buttons for exactly the actions
 * the server says this user may take now. Each action sends the version shown; when someone
 * else changed the ticket first, the newer ticket replaces the view and the user is told.
 */
import { useState } from 'react';
import dayjs from 'dayjs';
import { Alert, Button, DatePicker, Descriptions, Form, Input, InputNumber, Modal, Radio, Select, Space, Tag, Timeline, Typography, type UploadFile } from 'antd';
import { api } from '../../../../shared/api/index.js';
import type { RefData } from '../../../../shared/api/refdata.js';
import type { StoredAttachment } from '../../../../shared/api/ticket-attachments.js';
import type { TicketCommandInput, TicketDetail as Ticket } from '../../../../shared/api/tickets.js';
import type { TicketCommandType } from '../../../../shared/tickets/workflow.js';
import { isApiCallError } from '../../services/api-client';
import { call } from '../../services/session';
import { AttachmentLinks, AttachmentUpload, uploadedAttachments } from './AttachmentUpload';
import {
  actionFields, channelLabel, formatChinaTime, commandLabel, eventLabel, primaryActions, satisfactionLabel, slaColor, slaStateLabel, statusColor, statusLabel, urgencyLabel,
} from './ticket-view';

const fmt = formatChinaTime;

type ActionValues = {
  opinion?: string; reason?: string; result?: string; text?: string; leadUnitId?: string; coUnitIds?: string[]; workingDays?: number;
  until?: dayjs.Dayjs; satisfaction?: 'satisfied' | 'basically_satisfied' | 'unsatisfied' | 'unrated'; approve?: boolean; pass?: boolean; intoTicketId?: string; reopen?: boolean;
  attachments?: UploadFile<StoredAttachment>[];
};

function toCommand(type: TicketCommandType, v: ActionValues): TicketCommandInput {
  switch (type) {
    case 'answer_directly': return { type, result: v.result ?? '' };
    case 'classify': return { type };
    case 'invalidate': return { type, reason: v.reason ?? '' };
    case 'merge': return { type, intoTicketId: v.intoTicketId ?? '' };
    case 'dispatch': return { type, leadUnitId: v.leadUnitId || undefined, coUnitIds: v.coUnitIds ?? [], opinion: v.opinion || undefined };
    case 'sign': return { type };
    case 'request_return': return { type, reason: v.reason ?? '' };
    case 'review_return': return { type, approve: v.approve ?? true, opinion: v.opinion ?? '' };
    case 'start': return { type };
    case 'note': return { type, text: v.text ?? '', attachments: uploadedAttachments(v.attachments) };
    case 'request_extension': return { type, workingDays: v.workingDays ?? 1, reason: v.reason ?? '' };
    case 'request_commitment': return { type, until: v.until ? v.until.format('YYYY-MM-DD') : '', reason: v.reason ?? '' };
    case 'review_request': return { type, approve: v.approve ?? true, opinion: v.opinion ?? '' };
    case 'resume': return { type };
    case 'reply': return { type, result: v.result ?? '', attachments: uploadedAttachments(v.attachments) };
    case 'audit': return { type, pass: v.pass ?? true, opinion: v.opinion ?? '' };
    case 'revisit': return { type, satisfaction: v.satisfaction ?? 'satisfied', reason: v.reason || undefined, reopen: !!v.reopen };
    case 'withdraw': return { type, reason: v.reason ?? '' };
    case 'urge': return { type, opinion: v.opinion ?? '' };
    case 'supervise': return { type, opinion: v.opinion ?? '' };
  }
}

export function TicketDetail({ ticket, refdata, onChanged }: { ticket: Ticket; refdata: RefData; onChanged: (t: Ticket) => void }) {
  const [action, setAction] = useState<TicketCommandType | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ type: 'error' | 'warning'; text: string } | null>(null);
  const [form] = Form.useForm<ActionValues>();
  const satisfaction = Form.useWatch('satisfaction', form);
  const units = refdata.units.filter((u) => u.active).map((u) => ({ value: u.id, label: u.name }));
  const name = (list: { code: string; name: string }[], code: string | null) => (code ? list.find((x) => x.code === code)?.name ?? code : '—');

  const run = async (type: TicketCommandType, values: ActionValues) => {
    setBusy(true);
    setNotice(null);
    try {
      if (type === 'merge') {
        // Agents know tickets by number: find the one to merge into.
        const no = (values.intoTicketId ?? '').trim();
        const found = (await call(api.listTickets, { query: { view: 'all', ticketNo: no, limit: 1 } })).items.find((x) => x.ticketNo === no);
        if (!found) {
          setNotice({ type: 'error', text: `找不到工单 ${no}` });
          return;
        }
        values = { ...values, intoTicketId: found.id };
      }
      const next = await call(api.actOnTicket, { params: { id: ticket.id }, body: { version: ticket.version, command: toCommand(type, values) } });
      setAction(null);
      form.resetFields();
      onChanged(next);
    } catch (err) {
      if (isApiCallError(err) && err.code === 'CONFLICT' && err.error.current) {
        setAction(null);
        onChanged(err.error.current as Ticket);
        setNotice({ type: 'warning', text: '工单已被他人更新，已显示最新内容，请确认后再操作。' });
      } else if (isApiCallError(err)) {
        const issues = err.error.issues?.map((i) => i.message).join('；');
        setNotice({ type: 'error', text: issues || err.error.message });
      } else setNotice({ type: 'error', text: '操作失败，请检查网络后重试' });
    } finally {
      setBusy(false);
    }
  };

  const open = (type: TicketCommandType) => {
    setNotice(null);
    if (actionFields[type].length === 0) {
      Modal.confirm({ title: `确认${commandLabel[type]}？`, okText: '确认', cancelText: '取消', onOk: () => run(type, {}), okButtonProps: { 'data-testid': 'ticket-action-confirm' } as never });
      return;
    }
    form.resetFields();
    setAction(type);
  };

  const fields = action ? actionFields[action] : [];
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="ticket-detail">
      <Space wrap>
        <Typography.Title level={5} style={{ margin: 0 }} data-testid="ticket-no">{ticket.ticketNo}</Typography.Title>
        <Tag color={statusColor[ticket.status]} data-testid="ticket-status">{statusLabel[ticket.status]}</Tag>
        <Tag color={slaColor[ticket.slaState]}>{slaStateLabel[ticket.slaState]}</Tag>
        {ticket.confidential && <Tag color="red">保密</Tag>}
        {ticket.supervised && <Tag color="volcano">督办</Tag>}
        {ticket.urgeCount > 0 && <Tag color="orange">催办 {ticket.urgeCount}</Tag>}
        {ticket.reopenCount > 0 && <Tag>重办 {ticket.reopenCount}</Tag>}
      </Space>
      {notice && <Alert type={notice.type} showIcon message={notice.text} data-testid="ticket-notice" />}
      <Space wrap data-testid="ticket-actions">
        {ticket.allowedActions.map((a) => (
          <Button key={a} type={primaryActions.has(a) ? 'primary' : 'default'} onClick={() => open(a)} data-testid={`ticket-action-${a}`}>
            {commandLabel[a]}
          </Button>
        ))}
      </Space>
      <Descriptions size="small" column={2} bordered>
        <Descriptions.Item label="标题" span={2}>{ticket.title}</Descriptions.Item>
        <Descriptions.Item label="诉求内容" span={2}><Typography.Paragraph style={{ margin: 0, whiteSpace: 'pre-wrap' }}>{ticket.content}</Typography.Paragraph></Descriptions.Item>
        <Descriptions.Item label="市民">{ticket.citizen.anonymous ? '匿名' : ticket.citizen.name ?? '—'}</Descriptions.Item>
        <Descriptions.Item label="联系电话"><span data-testid="ticket-citizen-phone">{ticket.citizen.phone ?? '—'}</span></Descriptions.Item>
        <Descriptions.Item label="诉求类型">{name(refdata.appealTypes, ticket.appealType)}</Descriptions.Item>
        <Descriptions.Item label="分类">{name(refdata.categories, ticket.categoryCode)}</Descriptions.Item>
        <Descriptions.Item label="区域">{name(refdata.regions, ticket.regionCode)}</Descriptions.Item>
        <Descriptions.Item label="地点">{ticket.location ?? '—'}</Descriptions.Item>
        <Descriptions.Item label="渠道">{channelLabel[ticket.channel]}</Descriptions.Item>
        <Descriptions.Item label="紧急程度">{urgencyLabel[ticket.urgency]}</Descriptions.Item>
        <Descriptions.Item label="受理时间">{fmt(ticket.acceptedAt)}</Descriptions.Item>
        <Descriptions.Item label="办理时限"><span data-testid="ticket-due">{fmt(ticket.dueAt)}</span></Descriptions.Item>
        <Descriptions.Item label="主办单位">{ticket.leadUnitName ?? '—'}</Descriptions.Item>
        <Descriptions.Item label="协办单位">{ticket.coUnits.map((u) => u.name).join('、') || '—'}</Descriptions.Item>
        {ticket.pendingRequest && (
          <Descriptions.Item label="待审批申请" span={2}>
            {ticket.pendingRequest.kind === 'extension' ? `延期 ${ticket.pendingRequest.workingDays} 个工作日` : `承诺办理至 ${ticket.pendingRequest.until}`}：{ticket.pendingRequest.reason}
          </Descriptions.Item>
        )}
        {ticket.returnReason && <Descriptions.Item label="回退原因" span={2}>{ticket.returnReason}</Descriptions.Item>}
        {ticket.result && <Descriptions.Item label="办理结果" span={2}>{ticket.result}</Descriptions.Item>}
        {ticket.satisfaction && <Descriptions.Item label="回访满意度" span={2}>{satisfactionLabel[ticket.satisfaction]}{ticket.unsatisfiedReason ? `（${ticket.unsatisfiedReason}）` : ''}</Descriptions.Item>}
      </Descriptions>
      <Typography.Title level={5}>办理过程</Typography.Title>
      <Timeline
        data-testid="ticket-timeline"
        items={ticket.timeline.map((e) => ({
          key: e.seq,
          children: (
            <div data-testid={`timeline-${e.action}`}>
              <Typography.Text strong>{eventLabel(e.action)}</Typography.Text>{' '}
              <Typography.Text type="secondary">
                {fmt(e.at)} · {e.actorName ?? '系统'}{e.unitName ? `（${e.unitName}）` : ''} · {statusLabel[e.toStatus]}
              </Typography.Text>
              {e.opinion && <div style={{ whiteSpace: 'pre-wrap' }}>{e.opinion}</div>}
              <AttachmentLinks ticketId={ticket.id} attachments={e.attachments} />
            </div>
          ),
        }))}
      />
      <Modal
        open={action !== null}
        title={action ? commandLabel[action] : ''}
        okText="提交"
        cancelText="取消"
        confirmLoading={busy}
        onCancel={() => setAction(null)}
        onOk={() => void form.validateFields().then((v) => action && run(action, v))}
        okButtonProps={{ 'data-testid': 'ticket-action-submit' } as never}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" initialValues={{ approve: true, pass: true, satisfaction: 'satisfied', workingDays: 3 }}>
          {fields.includes('units') && (
            <>
              <Form.Item name="leadUnitId" label="主办单位（不选则按派单规则）">
                <Select allowClear showSearch optionFilterProp="label" options={units} data-testid="action-lead-unit" />
              </Form.Item>
              <Form.Item name="coUnitIds" label="协办单位">
                <Select mode="multiple" allowClear showSearch optionFilterProp="label" options={units} />
              </Form.Item>
            </>
          )}
          {fields.includes('approve') && (
            <Form.Item name="approve" label="审核结果"><Radio.Group options={[{ value: true, label: '同意' }, { value: false, label: '不同意' }]} /></Form.Item>
          )}
          {fields.includes('pass') && (
            <Form.Item name="pass" label="审核结果"><Radio.Group options={[{ value: true, label: '通过，办结' }, { value: false, label: '不通过，退回办理' }]} /></Form.Item>
          )}
          {fields.includes('satisfaction') && (
            <>
              <Form.Item name="satisfaction" label="满意度">
                <Radio.Group data-testid="action-satisfaction" options={Object.entries(satisfactionLabel).map(([value, label]) => ({ value, label }))} />
              </Form.Item>
              {satisfaction === 'unsatisfied' && (
                <Form.Item name="reopen" label="处理" initialValue={false}><Radio.Group options={[{ value: false, label: '归档' }, { value: true, label: '重办' }]} /></Form.Item>
              )}
            </>
          )}
          {fields.includes('workingDays') && (
            <Form.Item name="workingDays" label="延期工作日" rules={[{ required: true }]}><InputNumber min={1} max={30} /></Form.Item>
          )}
          {fields.includes('until') && (
            <Form.Item name="until" label="承诺办结日期" rules={[{ required: true, message: '请选择日期' }]}><DatePicker /></Form.Item>
          )}
          {fields.includes('intoTicket') && (
            <Form.Item name="intoTicketId" label="并入的工单编号" rules={[{ required: true, message: '请填写目标工单编号' }]}><Input placeholder="12345-YYYYMMDD-NNNNN" /></Form.Item>
          )}
          {fields.includes('result') && (
            <Form.Item name="result" label="办理结果" rules={[{ required: true, message: '请填写办理结果' }]}><Input.TextArea rows={4} data-testid="action-result" /></Form.Item>
          )}
          {fields.includes('text') && (
            <Form.Item name="text" label="办理进展" rules={[{ required: true, message: '请填写办理进展' }]}><Input.TextArea rows={3} data-testid="action-text" /></Form.Item>
          )}
          {(action === 'note' || action === 'reply') && (
            <Form.Item
              name="attachments"
              label="附件（照片、文件）"
              rules={[{ validator: async (_r, files?: UploadFile[]) => {
                if (files?.some((f) => f.status === 'uploading')) throw new Error('请等待附件上传完成');
              } }]}
            >
              <AttachmentUpload ticketId={ticket.id} />
            </Form.Item>
          )}
          {fields.includes('reason') && (
            <Form.Item name="reason" label={action === 'revisit' ? '原因（不满意必填）' : '原因'} rules={action === 'revisit' ? [] : [{ required: true, message: '请填写原因' }]}>
              <Input.TextArea rows={3} data-testid="action-reason" />
            </Form.Item>
          )}
          {fields.includes('opinion') && (
            <Form.Item name="opinion" label="意见" rules={action === 'dispatch' ? [] : [{ required: true, message: '请填写意见' }]}>
              <Input.TextArea rows={3} data-testid="action-opinion" />
            </Form.Item>
          )}
        </Form>
      </Modal>
    </Space>
  );
}
