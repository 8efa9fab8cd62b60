-- One live console per agent: the session whose agent console connected last holds it
-- (console_at); a console connecting from another session ends the older ones. Kept in the
-- database, not in a node's memory, so it holds with several backend nodes.
ALTER TABLE auth_session ADD COLUMN console_at timestamptz;

-- 小休 over its reason's maximum: the `since` of the break whose overrun was announced, set by
-- whichever node notices first, so the agent and supervisors are told once per break.
ALTER TABLE agent_state ADD COLUMN break_overrun_of timestamptz;
