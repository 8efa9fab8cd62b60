/**
 * 疑似重复 beside the registration form: open tickets from the same caller or with similar
 * content in the last 30 days, asked for as the agent types (debounced). The agent opens one
 * to compare; after filing, 并单 on the new ticket merges it into that one.
 */
import { useEffect, useState } from 'react';
import { Alert, List, Space, Tag, Typography } from 'antd';
import { api } from '../../../../shared/api/index.js';
import type { DuplicateCandidate } from '../../../../shared/api/tickets.js';
import { normalizePhone } from '../../../../shared/tickets/contact.js';
import { call } from '../../services/session';
import { formatChinaTime, statusLabel } from './ticket-view';

const reasonLabel: Record<DuplicateCandidate['reasons'][number], string> = { same_caller: '同一来电人', similar_content: '内容相似' };

export function DuplicateHints({ callerNumber, phone, title, content, onOpen }: {
  callerNumber?: string | undefined;
  phone?: string | undefined;
  title?: string | undefined;
  content?: string | undefined;
  onOpen?: ((ticketId: string) => void) | undefined;
}) {
  const [items, setItems] = useState<DuplicateCandidate[]>([]);
  useEffect(() => {
    const valid = (p?: string) => (p && normalizePhone(p) ? p : undefined);
    const body = { callerNumber: valid(callerNumber), phone: valid(phone), title: title?.trim().slice(0, 200) || undefined, content: content?.trim().slice(0, 5000) || undefined };
    if (!body.callerNumber && !body.phone && !body.title && !body.content) {
      setItems([]);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      call(api.findDuplicateTickets, { body }).then((r) => live && setItems(r.items), () => live && setItems([]));
    }, 600);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [callerNumber, phone, title, content]);

  if (!items.length) return null;
  return (
    <Alert
      type="warning"
      showIcon
      style={{ marginBottom: 12 }}
      data-testid="ticket-duplicates"
      message={`疑似重复：近 30 天有 ${items.length} 张相关的未办结工单`}
      description={(
        <>
          <List
            size="small"
            dataSource={items}
            renderItem={(d) => (
              <List.Item key={d.ticket.id} data-testid={`ticket-duplicate-${d.ticket.ticketNo}`}>
                <Space wrap size={4}>
                  <a onClick={() => onOpen?.(d.ticket.id)}>{d.ticket.ticketNo}</a>
                  <Typography.Text ellipsis style={{ maxWidth: 260 }}>{d.ticket.title}</Typography.Text>
                  <Tag>{statusLabel[d.ticket.status]}</Tag>
                  {d.reasons.map((r) => <Tag key={r} color={r === 'same_caller' ? 'orange' : 'blue'}>{reasonLabel[r]}</Tag>)}
                  {d.similarity > 0 && <Typography.Text type="secondary">相似度 {Math.round(d.similarity * 100)}%</Typography.Text>}
                  <Typography.Text type="secondary">{formatChinaTime(d.ticket.acceptedAt)}</Typography.Text>
                </Space>
              </List.Item>
            )}
          />
          <Typography.Text type="secondary">同一诉求请登记后在工单详情中“并单”到原工单。</Typography.Text>
        </>
      )}
    />
  );
}
