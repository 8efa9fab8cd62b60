-- The 督办 list (view=supervised): few tickets are supervised, so walking the accepted_at index
-- and filtering found them only after reading the whole table (1.3 s over 1 M tickets, bench
-- `tickets`). This partial index holds just those, in the list's order.
CREATE INDEX ticket_supervised ON ticket (accepted_at DESC, id DESC) WHERE supervised;
