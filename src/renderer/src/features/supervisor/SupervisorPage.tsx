/**
 * 班长监控: the live wallboard of the supervisor's groups (full snapshot on every connect, then
 * pushed deltas), queue tiles from the ACD when it offers them, the monitoring panel and
 * per-agent actions (监听/业务指导/强插, 置忙, 强制签出, 消息).
 */
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Alert, Card, Col, InputNumber, Popover, Row, Select, Space, Statistic, Button, Typography } from 'antd';
import { SettingOutlined } from '@ant-design/icons';
import { agentStateKinds, type AgentStateKind } from '../../../../shared/agent-state.js';
import type { QueueSnapshot } from '../../../../shared/api/acd.js';
import { api } from '../../../../shared/api/index.js';
import { call } from '../../services/session';
import { followFloor } from '../../services/supervision/floor-feed';
import type { AgentReasons } from '../../stores/agent-state-store';
import { useFloorStore } from '../../stores/floor-store';
import { formatElapsed } from '../agent-console/agent-state/agent-state-view';
import { FloorTable } from './FloorTable';
import { supervisorPhone } from '../../services/supervision/supervisor-phone';
import { EscalationCard } from './EscalationCard';
import { MonitorPanel } from './MonitorPanel';
import { formatRate, loadThresholds, saveThresholds, visibleAgents, type FloorSort, type Thresholds } from './wallboard-view';

function useNow(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}

function QueueTiles({ queues, now }: { queues: Record<string, QueueSnapshot> | null; now: number }) {
  const { t } = useTranslation();
  if (queues === null) {
    return (
      <Card size="small" title={t('supervisor.queues')} data-testid="queue-tiles" style={{ marginBottom: 16 }}>
        <Typography.Text type="secondary">{t('supervisor.queuesPending')}</Typography.Text>
      </Card>
    );
  }
  return (
    <Row gutter={[12, 12]} style={{ marginBottom: 16 }} data-testid="queue-tiles">
      {Object.values(queues).map((q) => {
        const grown = (now - Date.parse(q.at)) / 1000;
        const longest = q.waiting + q.ringing > 0 ? q.longestWaitSeconds + Math.max(0, grown) : 0;
        return (
          <Col key={q.queueId} xs={12} md={6}>
            <Card size="small" title={`${q.name} (${q.code})`} data-testid={`queue-tile-${q.code}`}>
              <Statistic value={q.waiting} suffix={t('supervisor.waiting', { n: '' }).trim()} />
              <Typography.Text type="secondary">
                {t('supervisor.ringing', { n: q.ringing })} · {t('supervisor.longestWait', { time: formatElapsed(longest * 1000) })}
              </Typography.Text>
              <Row gutter={8} style={{ marginTop: 8 }}>
                <Col span={12}><Statistic title={t('supervisor.queueToday.answerRate')} value={formatRate(q.today.answerRate)} valueStyle={{ fontSize: 18 }} /></Col>
                <Col span={12}><Statistic title={t('supervisor.queueToday.within', { s: q.today.targetSeconds })} value={formatRate(q.today.answerWithinTargetRate)} valueStyle={{ fontSize: 18 }} /></Col>
              </Row>
              <Typography.Text type="secondary" data-testid={`queue-today-${q.code}`} data-answered={q.today.answered} data-abandoned={q.today.abandoned}>
                {t('supervisor.queueToday.answered', { n: q.today.answered })} · {t('supervisor.queueToday.abandoned', { n: q.today.abandoned })}
                {q.today.overflowed ? ` · ${t('supervisor.queueToday.overflowed', { n: q.today.overflowed })}` : ''}
              </Typography.Text>
            </Card>
          </Col>
        );
      })}
    </Row>
  );
}

export function SupervisorPage() {
  const { t } = useTranslation();
  const now = useNow(1000);
  const { groups, agents, loaded, error } = useFloorStore();
  const [groupId, setGroupId] = useState<string | null>(null);
  const [kinds, setKinds] = useState<AgentStateKind[]>([]);
  const [sort, setSort] = useState<FloorSort>('state');
  const [thresholds, setThresholds] = useState<Thresholds>(loadThresholds);
  const [reasons, setReasons] = useState<AgentReasons | null>(null);
  const [queues, setQueues] = useState<Record<string, QueueSnapshot> | null>(null);

  useEffect(() => {
    const stop = followFloor({
      onQueues: (list) => setQueues(list ? Object.fromEntries(list.map((q) => [q.queueId, q])) : null),
      onQueue: (q) => setQueues((prev) => ({ ...(prev ?? {}), [q.queueId]: q })),
    });
    call(api.agentReasons).then(setReasons, () => undefined);
    // While the wallboard is open, this supervisor's phone takes agents' 求助 calls.
    void supervisorPhone().takeHelpCalls(true);
    return () => {
      void supervisorPhone().takeHelpCalls(false);
      stop();
      useFloorStore.getState().clear();
    };
  }, []);

  const groupNames = useMemo(() => Object.fromEntries(groups.map((g) => [g.id, g.name])), [groups]);
  const shown = visibleAgents(Object.values(agents), { groupId, kinds }, sort, now);
  const changeThreshold = (key: keyof Thresholds, minutes: number | null): void => {
    if (!minutes || minutes <= 0) return;
    const next = { ...thresholds, [key]: Math.round(minutes * 60) };
    setThresholds(next);
    saveThresholds(next);
  };

  return (
    <div data-testid="supervisor-page" data-loaded={loaded ? 'true' : 'false'}>
      <Typography.Title level={4}>{t('supervisor.title')}</Typography.Title>
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} />}
      <EscalationCard />
      <MonitorPanel />
      <QueueTiles queues={queues} now={now} />
      <Card
        title={t('supervisor.wallboard')}
        extra={
          <Space wrap>
            <Select
              style={{ minWidth: 160 }}
              value={groupId ?? ''}
              onChange={(v) => setGroupId(v || null)}
              options={[{ value: '', label: t('supervisor.filters.allGroups') }, ...groups.map((g) => ({ value: g.id, label: g.name }))]}
              data-testid="filter-group"
            />
            <Select
              mode="multiple"
              allowClear
              style={{ minWidth: 200 }}
              placeholder={t('supervisor.filters.states')}
              value={kinds}
              onChange={setKinds}
              options={agentStateKinds.map((k) => ({ value: k, label: t(`agentState.kinds.${k}`) }))}
              data-testid="filter-states"
            />
            <Select<FloorSort>
              value={sort}
              onChange={setSort}
              options={[
                { value: 'state', label: t('supervisor.filters.byState') },
                { value: 'time', label: t('supervisor.filters.byTime') },
                { value: 'name', label: t('supervisor.filters.byName') },
              ]}
              data-testid="filter-sort"
            />
            <Popover
              title={t('supervisor.thresholds.title')}
              trigger="click"
              content={
                <Space direction="vertical">
                  {(['longCall', 'longBreak', 'longAcw'] as const).map((k) => {
                    const key = `${k}Seconds` as keyof Thresholds;
                    return (
                      <Space key={k}>
                        <span style={{ display: 'inline-block', width: 64 }}>{t(`supervisor.thresholds.${k}`)}</span>
                        <InputNumber min={1} max={240} value={thresholds[key] / 60} onChange={(v) => changeThreshold(key, v)} />
                      </Space>
                    );
                  })}
                </Space>
              }
            >
              <Button icon={<SettingOutlined />} />
            </Popover>
          </Space>
        }
      >
        <FloorTable agents={shown} groupNames={groupNames} reasons={reasons} thresholds={thresholds} now={now} />
      </Card>
    </div>
  );
}
