CREATE TABLE `import_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`source_id` text NOT NULL,
	`kind` text NOT NULL,
	`started_at` text NOT NULL,
	`finished_at` text,
	`counts` text DEFAULT '{}' NOT NULL,
	`status` text DEFAULT 'running' NOT NULL,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `import_runs_source_idx` ON `import_runs` (`source_id`,`started_at`);--> statement-breakpoint
CREATE TABLE `source_links` (
	`source_id` text NOT NULL,
	`remote_id` text NOT NULL,
	`remote_uid` text,
	`user_id` text NOT NULL,
	`seen_pass` text,
	`remote_changed` text,
	`removed_at` text,
	PRIMARY KEY(`source_id`, `remote_id`),
	FOREIGN KEY (`source_id`) REFERENCES `sources`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `source_links_uid_idx` ON `source_links` (`source_id`,`remote_uid`);--> statement-breakpoint
CREATE INDEX `source_links_user_idx` ON `source_links` (`user_id`);--> statement-breakpoint
CREATE INDEX `source_links_pass_idx` ON `source_links` (`source_id`,`seen_pass`);--> statement-breakpoint
CREATE TABLE `sources` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`base_url` text NOT NULL,
	`credentials_enc` text NOT NULL,
	`settings` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`paused_reason` text,
	`watermark` text,
	`cursor` text,
	`last_run_at` text,
	`last_full_at` text,
	`last_error` text,
	`created` text NOT NULL,
	`updated` text NOT NULL
);
--> statement-breakpoint
ALTER TABLE `links` ADD `remote_key` text;--> statement-breakpoint
CREATE INDEX `links_remote_key_idx` ON `links` (`target_id`,`remote_key`);--> statement-breakpoint
ALTER TABLE `targets` ADD `options` text;