-- Agent home (工作台), read after every call: "my tickets due soon or overdue" and today's
-- satisfaction counts each read one agent's tickets, and ticket_agent (agent_id, accepted_at)
-- made both walk every ticket the agent ever filed (0.3–0.8 s per read for an agent with 1 M
-- tickets in the screen-pop bench, competing with the routing of the next call).
CREATE INDEX ticket_agent_due_open ON ticket (agent_id, due_at)
  WHERE status IN ('registered', 'pending_dispatch', 'dispatched', 'return_review', 'signed', 'processing', 'replied');
CREATE INDEX ticket_agent_revisit ON ticket (agent_id, revisit_at) WHERE revisit_at IS NOT NULL;
