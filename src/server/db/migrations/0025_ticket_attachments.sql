-- Ticket attachments (附件) stored by the server: the bytes live in the attachments directory
-- under the row's id; the row says which ticket they belong to (events may only reference
-- their own ticket's files), what they are, and their SHA-256 taken when written.
CREATE TABLE ticket_attachment (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  ticket_id   uuid NOT NULL REFERENCES ticket(id) ON DELETE CASCADE,
  name        text NOT NULL,
  mime        text NOT NULL,
  size        integer NOT NULL CHECK (size >= 0),
  sha256      text NOT NULL,
  uploaded_by uuid REFERENCES app_user(id) ON DELETE SET NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ticket_attachment_ticket ON ticket_attachment (ticket_id, created_at);
