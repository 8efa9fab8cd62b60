/**
 * 台账导出: writes ledger rows as an .xlsx into a stream with exceljs' streaming WorkbookWriter.
 * Each row is committed as it is added and pages are awaited one at a time, and the writer
 * waits for the HTTP stream to drain between pages, so memory stays flat however many
 * tickets the filter selects (bench `tickets` measures 100 k).
 */
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { channelLabel, urgencyLabel } from '../../../shared/api/tickets.js';
import type { RefData } from '../../../shared/api/refdata.js';
import { slaStateLabel } from '../../../shared/tickets/deadline.js';
import { statusLabel, type Satisfaction } from '../../../shared/tickets/workflow.js';
import type { LedgerRow } from './tickets-service.js';

const chinaTime = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
});
const fmt = (d: Date | string | null) => (d ? chinaTime.format(typeof d === 'string' ? new Date(d) : d).replaceAll('/', '-') : '');

const satisfactionLabel: Record<Satisfaction, string> = { satisfied: '满意', basically_satisfied: '基本满意', unsatisfied: '不满意', unrated: '未评价' };

/** The sheet's columns, in order: header, width, value. */
function columns(ref: RefData): { header: string; width: number; value: (r: LedgerRow) => string | number }[] {
  const appeal = new Map(ref.appealTypes.map((a) => [a.code, a.name]));
  const category = new Map(ref.categories.map((c) => [c.code, c.name]));
  const region = new Map(ref.regions.map((r) => [r.code, r.name]));
  return [
    { header: '工单编号', width: 22, value: (r) => r.ticketNo },
    { header: '受理时间', width: 17, value: (r) => fmt(r.acceptedAt) },
    { header: '来源渠道', width: 8, value: (r) => channelLabel[r.channel] },
    { header: '诉求类型', width: 8, value: (r) => appeal.get(r.appealType) ?? r.appealType },
    { header: '问题分类', width: 14, value: (r) => (r.categoryCode ? category.get(r.categoryCode) ?? r.categoryCode : '') },
    { header: '所属区域', width: 12, value: (r) => (r.regionCode ? region.get(r.regionCode) ?? r.regionCode : '') },
    { header: '紧急程度', width: 8, value: (r) => urgencyLabel[r.urgency] },
    { header: '标题', width: 30, value: (r) => r.title },
    { header: '诉求内容', width: 60, value: (r) => r.content },
    { header: '事发地点', width: 24, value: (r) => r.location ?? '' },
    { header: '市民', width: 10, value: (r) => r.citizenName ?? '' },
    { header: '联系电话', width: 14, value: (r) => r.contactPhone ?? '' },
    { header: '保密', width: 6, value: (r) => (r.confidential ? '是' : '') },
    { header: '状态', width: 8, value: (r) => statusLabel[r.status] },
    { header: '主办单位', width: 20, value: (r) => r.leadUnitName ?? '' },
    { header: '办理时限', width: 17, value: (r) => fmt(r.dueAt) },
    { header: '时限状态', width: 8, value: (r) => (r.slaState === 'normal' ? '' : slaStateLabel[r.slaState]) },
    { header: '督办', width: 6, value: (r) => (r.supervised ? '是' : '') },
    { header: '催办次数', width: 8, value: (r) => r.urgeCount },
    { header: '重办次数', width: 8, value: (r) => r.reopenCount },
    { header: '办理结果', width: 40, value: (r) => r.result ?? '' },
    { header: '办结时间', width: 17, value: (r) => fmt(r.closedAt) },
    { header: '满意度', width: 10, value: (r) => (r.satisfaction ? satisfactionLabel[r.satisfaction as Satisfaction] ?? r.satisfaction : '') },
  ];
}

/**
 * Starts writing and returns the stream at once (the HTTP reply sends it as it fills). A
 * failure half-way destroys the stream, so the client sees a broken download, never a
 * truncated file that looks whole.
 */
export function ledgerWorkbook(pages: AsyncIterable<LedgerRow[]>, ref: RefData, onError: (err: unknown) => void): PassThrough {
  const out = new PassThrough();
  const cols = columns(ref);
  void (async () => {
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
    const ws = wb.addWorksheet('工单台账', { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = cols.map((c) => ({ header: c.header, width: c.width }));
    ws.getRow(1).font = { bold: true };
    ws.getRow(1).commit();
    for await (const page of pages) {
      if (out.destroyed) return; // the client went away
      for (const r of page) ws.addRow(cols.map((c) => c.value(r))).commit();
      if (out.writableNeedDrain) await new Promise<void>((resolve) => out.once('drain', resolve).once('close', resolve));
    }
    ws.commit();
    await wb.commit();
  })().catch((err: unknown) => {
    onError(err);
    out.destroy(err instanceof Error ? err : new Error(String(err)));
  });
  return out;
}
