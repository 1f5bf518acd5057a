ALTER TABLE `targets` ADD `watermark` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `targets` ADD `sync_state` text;--> statement-breakpoint
ALTER TABLE `targets` ADD `deletion_window_minutes` integer DEFAULT 60 NOT NULL;--> statement-breakpoint
ALTER TABLE `targets` ADD `protected_accounts` text;--> statement-breakpoint
CREATE INDEX `audit_target_operation_idx` ON `audit_events` (`target_id`,`operation`,`at`);