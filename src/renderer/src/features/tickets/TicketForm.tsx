/**
 * 新建工单: the registration form. Prefilled from a call (caller number, call id) when opened
 * from the agent console or the hash `#/tickets?new=1&caller=…&callId=…`; every keystroke is
 * saved locally (ticket-draft.ts) and the submission carries the draft's client id, so a
 * reload mid-way finds the draft and a retried submit never files twice.
 */
import { useEffect, useMemo, useState } from 'react';
import { Alert, Button, Checkbox, Col, Form, Input, Radio, Row, Select, Space, TreeSelect, Typography } from 'antd';
import { api } from '../../../../shared/api/index.js';
import type { RefData } from '../../../../shared/api/refdata.js';
import { channels, type TicketDetail } from '../../../../shared/api/tickets.js';
import { isApiCallError } from '../../services/api-client';
import { call } from '../../services/session';
import { DuplicateHints } from './DuplicateHints';
import { clearDraft, draftForCall, loadDraft, saveDraft, toRegisterRequest, type DraftValues, type TicketDraft } from './ticket-draft';
import { channelLabel, urgencyLabel } from './ticket-view';

function tree<T extends { code: string; parentCode: string | null; name: string }>(items: T[]) {
  type Node = { value: string; title: string; children: Node[] };
  const nodes = new Map<string, Node>(items.map((i) => [i.code, { value: i.code, title: `${i.name}（${i.code}）`, children: [] }]));
  const roots: Node[] = [];
  for (const i of items) {
    const n = nodes.get(i.code)!;
    const parent = i.parentCode ? nodes.get(i.parentCode) : undefined;
    (parent ? parent.children : roots).push(n);
  }
  return roots;
}

export function TicketForm({ refdata, call: fromCall, onCreated, onOpenTicket }: {
  refdata: RefData;
  call: { callId?: string; callerNumber?: string } | null;
  onCreated: (t: TicketDetail) => void;
  /** Opens an existing ticket (a 疑似重复 suggestion) beside the form. */
  onOpenTicket?: (ticketId: string) => void;
}) {
  const [form] = Form.useForm<DraftValues>();
  const [draft, setDraft] = useState<TicketDraft>(() => draftForCall(loadDraft(localStorage), fromCall, () => crypto.randomUUID()));
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const then = Form.useWatch('then', form);
  const categoryTree = useMemo(() => tree(refdata.categories.filter((c) => c.active)), [refdata]);
  const regionTree = useMemo(() => tree(refdata.regions.filter((r) => r.active)), [refdata]);

  // Show a different draft when one starts (new call); it is saved from the first keystroke.
  useEffect(() => {
    form.setFieldsValue(draft.values);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [draft.clientId]);

  const onValuesChange = (_: unknown, all: DraftValues) => {
    const next = { clientId: draft.clientId, values: { ...draft.values, ...all } };
    saveDraft(localStorage, next);
    setDraft({ ...next, savedAt: new Date().toISOString() });
  };

  const submit = async () => {
    setError(null);
    try {
      await form.validateFields();
    } catch {
      return;
    }
    setSubmitting(true);
    try {
      const created = await call(api.registerTicket, { body: toRegisterRequest({ ...draft, values: { ...draft.values, ...form.getFieldsValue() } }) });
      clearDraft(localStorage);
      setDraft({ clientId: crypto.randomUUID(), savedAt: new Date().toISOString(), values: { channel: 'phone', then: 'register' } });
      form.resetFields();
      onCreated(created);
    } catch (err) {
      if (isApiCallError(err)) {
        const issues = err.error.issues ?? [];
        if (issues.length) {
          form.setFields(issues.map((i) => ({ name: fieldOf(i.path), errors: [i.message] })).filter((f) => f.name.length) as never);
          setError(issues.map((i) => i.message).join('；'));
        } else setError(err.error.message);
      } else setError('提交失败，请检查网络后重试（草稿已保存，重试不会重复登记）');
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Form form={form} layout="vertical" onValuesChange={onValuesChange} data-testid="ticket-form" size="middle">
      <Typography.Text type="secondary" data-testid="ticket-draft-saved">
        草稿自动保存于 {new Date(draft.savedAt).toLocaleTimeString('zh-CN')}
      </Typography.Text>
      <Row gutter={12} style={{ marginTop: 8 }}>
        <Col span={8}>
          <Form.Item name="channel" label="来源渠道" rules={[{ required: true }]}>
            <Select options={channels.map((c) => ({ value: c, label: channelLabel[c] }))} data-testid="ticket-channel" />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="callerNumber" label="来电号码">
            <Input data-testid="ticket-caller" />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="urgency" label="紧急程度" initialValue="normal">
            <Select options={(['normal', 'urgent', 'critical'] as const).map((u) => ({ value: u, label: urgencyLabel[u] }))} />
          </Form.Item>
        </Col>
      </Row>
      <Row gutter={12}>
        <Col span={8}>
          <Form.Item name="citizenName" label="市民姓名">
            <Input data-testid="ticket-citizen-name" maxLength={64} />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="phone" label="联系电话">
            <Input data-testid="ticket-phone" />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="idNumber" label="身份证号">
            <Input data-testid="ticket-id-number" />
          </Form.Item>
        </Col>
      </Row>
      <Space>
        <Form.Item name="confidential" valuePropName="checked" noStyle>
          <Checkbox data-testid="ticket-confidential">保密</Checkbox>
        </Form.Item>
        <Form.Item name="anonymous" valuePropName="checked" noStyle>
          <Checkbox>匿名</Checkbox>
        </Form.Item>
      </Space>
      <Row gutter={12} style={{ marginTop: 12 }}>
        <Col span={8}>
          <Form.Item name="appealType" label="诉求类型" rules={[{ required: true, message: '请选择诉求类型' }]}>
            <Select options={refdata.appealTypes.filter((a) => a.active).map((a) => ({ value: a.code, label: a.name }))} data-testid="ticket-appeal-type" />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="categoryCode" label="问题分类">
            <TreeSelect treeData={categoryTree} showSearch treeNodeFilterProp="title" allowClear data-testid="ticket-category" />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="regionCode" label="所属区域">
            <TreeSelect treeData={regionTree} showSearch treeNodeFilterProp="title" allowClear data-testid="ticket-region" />
          </Form.Item>
        </Col>
      </Row>
      <Form.Item name="title" label="标题" rules={[{ required: true, message: '请填写标题' }, { max: 200 }]}>
        <Input data-testid="ticket-title" />
      </Form.Item>
      <Form.Item name="content" label="诉求内容" rules={[{ required: true, message: '请填写诉求内容' }, { max: 5000 }]}>
        <Input.TextArea rows={5} showCount maxLength={5000} data-testid="ticket-content" />
      </Form.Item>
      <Form.Item name="location" label="事发地点">
        <Input maxLength={300} />
      </Form.Item>
      <Form.Item name="then" label="登记后" initialValue="register">
        <Radio.Group data-testid="ticket-then">
          <Radio value="register">仅登记</Radio>
          <Radio value="dispatch">转派单</Radio>
          <Radio value="answer">直接答复办结</Radio>
        </Radio.Group>
      </Form.Item>
      {then === 'answer' && (
        <Form.Item name="answer" label="答复内容" rules={[{ required: true, message: '请填写答复内容' }]}>
          <Input.TextArea rows={3} data-testid="ticket-answer" />
        </Form.Item>
      )}
      <DuplicateHints
        callerNumber={draft.values.callerNumber} phone={draft.values.phone} title={draft.values.title} content={draft.values.content} onOpen={onOpenTicket}
      />
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} data-testid="ticket-form-error" />}
      <Button type="primary" onClick={() => void submit()} loading={submitting} data-testid="ticket-submit">
        提交工单
      </Button>
    </Form>
  );
}

/** Server issue paths → form field names. */
function fieldOf(path: string): string[] {
  const map: Record<string, string> = {
    'citizen.name': 'citizenName', 'citizen.phone': 'phone', 'citizen.idNumber': 'idNumber', 'answerDirectly.result': 'answer',
  };
  const f = map[path] ?? path;
  return ['channel', 'callerNumber', 'citizenName', 'phone', 'idNumber', 'appealType', 'categoryCode', 'regionCode', 'title', 'content', 'location', 'answer', 'urgency'].includes(f) ? [f] : [];
}
