-- Server-side recordings of trunk calls (HOTLINE_RECORDING=server): rtpengine records the
-- bridged media and the backend decodes it into the same storage as the softphone's uploads.
-- source says who made a recording; a server recording arrives whole (no chunks).
ALTER TABLE call_recording ADD COLUMN source text NOT NULL DEFAULT 'agent' CHECK (source IN ('agent', 'server'));
-- One server recording per call leg, whatever node or retry decoded it.
CREATE UNIQUE INDEX call_recording_server_leg ON call_recording (sip_call_id) WHERE source = 'server';
