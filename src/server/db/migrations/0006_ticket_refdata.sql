-- Reference data for tickets, kept as data so each site loads and edits its own (refdata
-- admin API): appeal types, the category tree, administrative regions, handling units (an
-- org tree with the regions and categories each answers for, and its member users), SLA
-- rules, dispatch rules, and per-date overrides of the official working calendar.

CREATE TABLE appeal_type (
  code    text PRIMARY KEY CHECK (code ~ '^[a-z0-9_]{1,32}$'),
  name    text NOT NULL,
  sort    integer NOT NULL DEFAULT 0,
  active  boolean NOT NULL DEFAULT true
);
INSERT INTO appeal_type (code, name, sort) VALUES
  ('consult', '咨询', 1), ('help', '求助', 2), ('suggest', '建议', 3), ('complaint', '投诉', 4),
  ('report', '举报', 5), ('praise', '表扬', 6), ('other', '其他', 7);

-- GB/T 39666 style: two digits per level (01, 0101, 010101 …); a child's code starts with its parent's.
CREATE TABLE ticket_category (
  code         text PRIMARY KEY CHECK (code ~ '^([0-9]{2}){1,4}$'),
  parent_code  text REFERENCES ticket_category(code),
  name         text NOT NULL,
  sort         integer NOT NULL DEFAULT 0,
  active       boolean NOT NULL DEFAULT true,
  CHECK ((parent_code IS NULL AND length(code) = 2) OR (parent_code IS NOT NULL AND length(code) = length(parent_code) + 2 AND left(code, length(parent_code)) = parent_code))
);
-- A small sample tree; sites replace it with their catalogue (派单目录).
INSERT INTO ticket_category (code, parent_code, name, sort) VALUES
  ('01', NULL, '城乡建设', 1), ('0101', '01', '市政设施', 1), ('0102', '01', '物业管理', 2), ('0103', '01', '房屋质量', 3),
  ('02', NULL, '交通运输', 2), ('0201', '02', '公共交通', 1), ('0202', '02', '出租车与网约车', 2), ('0203', '02', '道路养护', 3),
  ('03', NULL, '生态环境', 3), ('0301', '03', '噪声污染', 1), ('0302', '03', '大气污染', 2), ('0303', '03', '水污染', 3),
  ('04', NULL, '市场监管', 4), ('0401', '04', '消费维权', 1), ('0402', '04', '食品安全', 2), ('0403', '04', '价格监管', 3),
  ('05', NULL, '劳动和社会保障', 5), ('0501', '05', '劳动关系与欠薪', 1), ('0502', '05', '社会保险', 2),
  ('06', NULL, '卫生健康', 6), ('0601', '06', '医疗服务', 1),
  ('07', NULL, '教育', 7), ('0701', '07', '中小学教育', 1),
  ('08', NULL, '公共安全', 8), ('0801', '08', '治安管理', 1),
  ('99', NULL, '其他', 99);

-- GB/T 2260 codes: province NN0000, city NNNN00, district NNNNNN.
CREATE TABLE region (
  code         text PRIMARY KEY CHECK (code ~ '^[0-9]{6}$'),
  parent_code  text REFERENCES region(code),
  name         text NOT NULL,
  level        smallint NOT NULL CHECK (level BETWEEN 1 AND 3),
  active       boolean NOT NULL DEFAULT true
);
CREATE INDEX region_parent ON region (parent_code);
-- Sample province (浙江省, province/city/district), from the china-division package 2.7.0 (MIT).
INSERT INTO region (code, parent_code, name, level) VALUES
  ('330000', NULL, '浙江省', 1),
  ('330100', '330000', '杭州市', 2),
  ('330200', '330000', '宁波市', 2),
  ('330300', '330000', '温州市', 2),
  ('330400', '330000', '嘉兴市', 2),
  ('330500', '330000', '湖州市', 2),
  ('330600', '330000', '绍兴市', 2),
  ('330700', '330000', '金华市', 2),
  ('330800', '330000', '衢州市', 2),
  ('330900', '330000', '舟山市', 2),
  ('331000', '330000', '台州市', 2),
  ('331100', '330000', '丽水市', 2),
  ('330102', '330100', '上城区', 3),
  ('330105', '330100', '拱墅区', 3),
  ('330106', '330100', '西湖区', 3),
  ('330108', '330100', '滨江区', 3),
  ('330109', '330100', '萧山区', 3),
  ('330110', '330100', '余杭区', 3),
  ('330111', '330100', '富阳区', 3),
  ('330112', '330100', '临安区', 3),
  ('330113', '330100', '临平区', 3),
  ('330114', '330100', '钱塘区', 3),
  ('330122', '330100', '桐庐县', 3),
  ('330127', '330100', '淳安县', 3),
  ('330182', '330100', '建德市', 3),
  ('330203', '330200', '海曙区', 3),
  ('330205', '330200', '江北区', 3),
  ('330206', '330200', '北仑区', 3),
  ('330211', '330200', '镇海区', 3),
  ('330212', '330200', '鄞州区', 3),
  ('330213', '330200', '奉化区', 3),
  ('330225', '330200', '象山县', 3),
  ('330226', '330200', '宁海县', 3),
  ('330281', '330200', '余姚市', 3),
  ('330282', '330200', '慈溪市', 3),
  ('330302', '330300', '鹿城区', 3),
  ('330303', '330300', '龙湾区', 3),
  ('330304', '330300', '瓯海区', 3),
  ('330305', '330300', '洞头区', 3),
  ('330324', '330300', '永嘉县', 3),
  ('330326', '330300', '平阳县', 3),
  ('330327', '330300', '苍南县', 3),
  ('330328', '330300', '文成县', 3),
  ('330329', '330300', '泰顺县', 3),
  ('330381', '330300', '瑞安市', 3),
  ('330382', '330300', '乐清市', 3),
  ('330383', '330300', '龙港市', 3),
  ('330402', '330400', '南湖区', 3),
  ('330411', '330400', '秀洲区', 3),
  ('330421', '330400', '嘉善县', 3),
  ('330424', '330400', '海盐县', 3),
  ('330481', '330400', '海宁市', 3),
  ('330482', '330400', '平湖市', 3),
  ('330483', '330400', '桐乡市', 3),
  ('330502', '330500', '吴兴区', 3),
  ('330503', '330500', '南浔区', 3),
  ('330521', '330500', '德清县', 3),
  ('330522', '330500', '长兴县', 3),
  ('330523', '330500', '安吉县', 3),
  ('330602', '330600', '越城区', 3),
  ('330603', '330600', '柯桥区', 3),
  ('330604', '330600', '上虞区', 3),
  ('330624', '330600', '新昌县', 3),
  ('330681', '330600', '诸暨市', 3),
  ('330683', '330600', '嵊州市', 3),
  ('330702', '330700', '婺城区', 3),
  ('330703', '330700', '金东区', 3),
  ('330723', '330700', '武义县', 3),
  ('330726', '330700', '浦江县', 3),
  ('330727', '330700', '磐安县', 3),
  ('330781', '330700', '兰溪市', 3),
  ('330782', '330700', '义乌市', 3),
  ('330783', '330700', '东阳市', 3),
  ('330784', '330700', '永康市', 3),
  ('330802', '330800', '柯城区', 3),
  ('330803', '330800', '衢江区', 3),
  ('330822', '330800', '常山县', 3),
  ('330824', '330800', '开化县', 3),
  ('330825', '330800', '龙游县', 3),
  ('330881', '330800', '江山市', 3),
  ('330902', '330900', '定海区', 3),
  ('330903', '330900', '普陀区', 3),
  ('330921', '330900', '岱山县', 3),
  ('330922', '330900', '嵊泗县', 3),
  ('331002', '331000', '椒江区', 3),
  ('331003', '331000', '黄岩区', 3),
  ('331004', '331000', '路桥区', 3),
  ('331022', '331000', '三门县', 3),
  ('331023', '331000', '天台县', 3),
  ('331024', '331000', '仙居县', 3),
  ('331081', '331000', '温岭市', 3),
  ('331082', '331000', '临海市', 3),
  ('331083', '331000', '玉环市', 3),
  ('331102', '331100', '莲都区', 3),
  ('331121', '331100', '青田县', 3),
  ('331122', '331100', '缙云县', 3),
  ('331123', '331100', '遂昌县', 3),
  ('331124', '331100', '松阳县', 3),
  ('331125', '331100', '云和县', 3),
  ('331126', '331100', '庆元县', 3),
  ('331127', '331100', '景宁畲族自治县', 3),
  ('331181', '331100', '龙泉市', 3);

CREATE TABLE handling_unit (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code        text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9_.-]{1,32}$'),
  name        text NOT NULL,
  parent_id   uuid REFERENCES handling_unit(id),
  kind        text NOT NULL DEFAULT 'department' CHECK (kind IN ('department', 'district', 'street', 'enterprise', 'other')),
  phone       text,
  active      boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX handling_unit_parent ON handling_unit (parent_id);

CREATE TABLE handling_unit_region (
  unit_id      uuid NOT NULL REFERENCES handling_unit(id) ON DELETE CASCADE,
  region_code  text NOT NULL REFERENCES region(code),
  PRIMARY KEY (unit_id, region_code)
);
CREATE TABLE handling_unit_category (
  unit_id        uuid NOT NULL REFERENCES handling_unit(id) ON DELETE CASCADE,
  category_code  text NOT NULL REFERENCES ticket_category(code),
  PRIMARY KEY (unit_id, category_code)
);
-- Users (role 'unit') who work a unit's tickets.
CREATE TABLE handling_unit_member (
  unit_id  uuid NOT NULL REFERENCES handling_unit(id) ON DELETE CASCADE,
  user_id  uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
  PRIMARY KEY (unit_id, user_id)
);
CREATE INDEX handling_unit_member_user ON handling_unit_member (user_id);

-- Time limits keyed by (appeal type, urgency, channel); NULL matches any, the most specific rule wins.
CREATE TABLE sla_rule (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  appeal_type  text REFERENCES appeal_type(code),
  urgency      text CHECK (urgency IN ('normal', 'urgent', 'critical')),
  channel      text CHECK (channel IN ('phone', 'sms', 'web', 'wechat', 'letter', 'province', 'other')),
  unit         text NOT NULL CHECK (unit IN ('working_days', 'hours')),
  amount       integer NOT NULL CHECK (amount > 0 AND amount <= 1000),
  start_rule   text NOT NULL DEFAULT 'next_day' CHECK (start_rule IN ('same_day', 'next_day')),
  -- A unit signs (签收) within this many hours of dispatch.
  sign_hours   integer NOT NULL DEFAULT 24 CHECK (sign_hours > 0),
  -- 临期 this many hours before the due time.
  warn_hours   integer NOT NULL DEFAULT 24 CHECK (warn_hours >= 0),
  note         text,
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX sla_rule_key ON sla_rule (coalesce(appeal_type, ''), coalesce(urgency, ''), coalesce(channel, ''));
-- Defaults after one province's rules (咨询 2, 求助/建议 10, 投诉/举报 15 working days); emergencies in hours.
INSERT INTO sla_rule (appeal_type, urgency, channel, unit, amount, start_rule, sign_hours, warn_hours, note) VALUES
  (NULL, NULL, NULL, 'working_days', 5, 'next_day', 24, 24, '默认'),
  ('consult', NULL, NULL, 'working_days', 2, 'next_day', 4, 8, '咨询'),
  ('help', NULL, NULL, 'working_days', 10, 'next_day', 24, 24, '求助'),
  ('suggest', NULL, NULL, 'working_days', 10, 'next_day', 24, 24, '建议'),
  ('complaint', NULL, NULL, 'working_days', 15, 'next_day', 24, 48, '投诉'),
  ('report', NULL, NULL, 'working_days', 15, 'next_day', 24, 48, '举报'),
  (NULL, 'urgent', NULL, 'hours', 24, 'same_day', 2, 4, '紧急'),
  (NULL, 'critical', NULL, 'hours', 2, 'same_day', 1, 1, '特急');

-- Region + category → lead unit (and co-units); NULL matches any, the most specific rule wins.
CREATE TABLE dispatch_rule (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  region_code    text REFERENCES region(code),
  category_code  text REFERENCES ticket_category(code),
  lead_unit_id   uuid NOT NULL REFERENCES handling_unit(id),
  co_unit_ids    uuid[] NOT NULL DEFAULT '{}',
  priority       integer NOT NULL DEFAULT 0,
  active         boolean NOT NULL DEFAULT true,
  note           text,
  updated_at     timestamptz NOT NULL DEFAULT now()
);

-- Admin overrides of the official calendar (chinese-days), by date; a year's rows are replaced together.
CREATE TABLE work_calendar_day (
  day         date PRIMARY KEY,
  is_workday  boolean NOT NULL,
  note        text,
  updated_by  uuid REFERENCES app_user(id),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
