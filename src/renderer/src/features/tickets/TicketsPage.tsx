/**
 * 工单: the user's ticket lists (my tickets, the unit's inbox, due soon, overdue, supervised,
 * awaiting review) with due/overdue marks, the new-ticket form (prefillable from a call via
 * `#/tickets?new=1&caller=…&callId=…`) and a ticket's detail with its actions.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Alert, App, Button, Drawer, Input, Space, Table, Tabs, Tag, Typography, type TableColumnsType } from 'antd';
import { DownloadOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { api } from '../../../../shared/api/index.js';
import type { RefData } from '../../../../shared/api/refdata.js';
import type { TicketDetail as Ticket, TicketSummary, TicketView } from '../../../../shared/api/tickets.js';
import type { TicketNotice } from '../../../../shared/realtime.js';
import { can } from '../../../../shared/roles.js';
import { useHash } from '../../app/use-hash';
import { realtimeSocket } from '../../services/realtime';
import { call } from '../../services/session';
import { useSessionStore } from '../../stores/session-store';
import { TicketDetail } from './TicketDetail';
import { TicketForm } from './TicketForm';
import { downloadLedger } from './ticket-export';
import { searchQueryOf } from './ticket-search';
import { eventLabel, formatChinaTime, slaColor, slaStateLabel, statusColor, statusLabel, viewLabel, viewsFor } from './ticket-view';

function hashQuery(hash: string): URLSearchParams {
  return new URLSearchParams(hash.split('?')[1] ?? '');
}

export function TicketsPage() {
  const { notification } = App.useApp();
  const view = useSessionStore((s) => s.view);
  const roles = view.status === 'signed-in' ? view.user.roles : [];
  const views = useMemo(() => viewsFor(roles), [roles]);
  const hash = useHash();
  const q = hashQuery(hash);
  const [tab, setTab] = useState<TicketView>(views[0] ?? 'all');
  const [search, setSearch] = useState('');
  const [items, setItems] = useState<TicketSummary[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [refdata, setRefdata] = useState<RefData | null>(null);
  const [open, setOpen] = useState<Ticket | null>(null);
  const openId = useRef<string | null>(null);
  openId.current = open?.id ?? null;
  const [exporting, setExporting] = useState<string | null>(null);
  const [creating, setCreating] = useState(q.get('new') === '1');
  const fromCall = q.get('new') === '1' ? { callId: q.get('callId') ?? undefined, callerNumber: q.get('caller') ?? undefined } : null;

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const res = await call(api.listTickets, { query: { view: tab, limit: 100, ...searchQueryOf(search) } });
      setItems(res.items);
      setError(null);
    } catch {
      setError('工单列表加载失败');
    } finally {
      setLoading(false);
    }
  }, [tab, search]);

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    call(api.getRefData, {}).then(setRefdata, () => setError('基础数据加载失败'));
  }, []);
  // Live: a ticket of mine changed (dispatched to my unit, urged, audited …): tell me and refresh.
  useEffect(() => {
    const socket = realtimeSocket();
    if (!socket) return;
    const onChanged = (n: TicketNotice) => {
      notification.info({ message: `${n.ticketNo} ${eventLabel(n.action)}`, description: `${n.title}（${n.by}）`, placement: 'bottomRight' });
      void load();
      if (openId.current === n.ticketId) void show(n.ticketId);
    };
    socket.on('ticket:changed', onChanged);
    return () => {
      socket.off('ticket:changed', onChanged);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [load]);

  const exportLedger = async () => {
    setExporting('准备导出…');
    try {
      await downloadLedger({ view: tab, ...searchQueryOf(search) }, ({ bytes, rows }) =>
        setExporting(`已下载 ${Math.round(bytes / 1024)} KB${rows === null ? '' : `（共 ${rows} 条）`}`));
    } catch (err) {
      setError(err instanceof Error ? err.message : '导出失败');
    } finally {
      setExporting(null);
    }
  };

  const show = async (id: string) => {
    try {
      setOpen(await call(api.getTicket, { params: { id } }));
    } catch {
      setError('工单加载失败');
    }
  };

  const columns: TableColumnsType<TicketSummary> = [
    { title: '工单编号', dataIndex: 'ticketNo', key: 'no', width: 190, render: (v: string, r) => <a onClick={() => void show(r.id)} data-testid={`ticket-row-${r.ticketNo}`}>{v}</a> },
    { title: '标题', dataIndex: 'title', key: 'title', ellipsis: true },
    { title: '状态', key: 'status', width: 100, render: (_, r) => <Tag color={statusColor[r.status]}>{statusLabel[r.status]}</Tag> },
    {
      title: '时限', key: 'due', width: 200,
      render: (_, r) => (
        <Space size={4}>
          <span>{r.dueAt ? formatChinaTime(r.dueAt).slice(5) : '—'}</span>
          {r.slaState !== 'normal' && <Tag color={slaColor[r.slaState]} data-testid={`ticket-sla-${r.ticketNo}`}>{slaStateLabel[r.slaState]}</Tag>}
        </Space>
      ),
    },
    { title: '主办单位', dataIndex: 'leadUnitName', key: 'unit', width: 160, render: (v: string | null) => v ?? '—' },
    { title: '市民', key: 'citizen', width: 160, render: (_, r) => `${r.citizenName ?? '—'} ${r.contactPhone ?? ''}` },
    { title: '受理时间', key: 'at', width: 150, render: (_, r) => formatChinaTime(r.acceptedAt) },
  ];

  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle" data-testid="tickets-page">
      <Space wrap>
        <Typography.Title level={4} style={{ margin: 0 }}>工单</Typography.Title>
        {can(roles, 'tickets:register') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="ticket-new">新建工单</Button>
        )}
        <Input.Search
          allowClear placeholder="工单编号 / 电话 / 关键词（空格分隔）" onSearch={setSearch} style={{ width: 320 }} maxLength={100} data-testid="ticket-search"
          title="关键词查标题、内容、地点和市民姓名，容许措辞不同；一两个字的关键词最好配合其他条件使用"
        />
        <Button icon={<ReloadOutlined />} onClick={() => void load()} loading={loading}>刷新</Button>
        {can(roles, 'tickets:export') && (
          <Button icon={<DownloadOutlined />} onClick={() => void exportLedger()} loading={exporting !== null} data-testid="ticket-export">
            {exporting ?? '导出台账'}
          </Button>
        )}
      </Space>
      {error && <Alert type="error" showIcon message={error} />}
      <Tabs activeKey={tab} onChange={(k) => setTab(k as TicketView)} items={views.map((v) => ({ key: v, label: <span data-testid={`ticket-tab-${v}`}>{viewLabel[v]}</span> }))} />
      <Table<TicketSummary> rowKey="id" columns={columns} dataSource={items} loading={loading} pagination={{ pageSize: 20 }} size="middle" data-testid="ticket-table" />
      <Drawer title="新建工单" width={760} open={creating && !!refdata} onClose={() => setCreating(false)} destroyOnHidden>
        {refdata && (
          <TicketForm
            refdata={refdata}
            call={fromCall}
            onOpenTicket={(id) => void show(id)}
            onCreated={(t) => {
              setCreating(false);
              setOpen(t);
              void load();
            }}
          />
        )}
      </Drawer>
      <Drawer title="工单详情" width={820} open={!!open && !!refdata} onClose={() => setOpen(null)} destroyOnHidden>
        {open && refdata && (
          <TicketDetail
            ticket={open}
            refdata={refdata}
            onChanged={(t) => {
              setOpen(t);
              void load();
            }}
          />
        )}
      </Drawer>
    </Space>
  );
}
