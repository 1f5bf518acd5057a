-- Issue #9: the engine is level-triggered. Outbox rows are no longer written by a trigger for
-- the targets active at the moment of a change; each run of a target reads the change feed
-- past its own watermark (targets.watermark) into the outbox, so a paused, failing or new
-- target catches up instead of missing what changed meanwhile.
DROP TRIGGER IF EXISTS `changes_enqueue_outbox`;--> statement-breakpoint
-- Existing targets already received every change through the trigger: start them at the head.
UPDATE `targets` SET `watermark` = (SELECT coalesce(max(`seq`), 0) FROM `changes`);
