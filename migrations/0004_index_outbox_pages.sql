CREATE INDEX `outbox_target_page_idx` ON `outbox` (`target_id`,`id`);--> statement-breakpoint
CREATE INDEX `outbox_state_page_idx` ON `outbox` (`state`,`id`);