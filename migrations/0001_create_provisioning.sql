CREATE TABLE `audit_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` text NOT NULL,
	`target_id` text NOT NULL,
	`run_id` text,
	`resource_type` text,
	`resource_id` text,
	`operation` text NOT NULL,
	`method` text,
	`path` text,
	`http_status` integer,
	`duration_ms` integer,
	`outcome` text NOT NULL,
	`error` text,
	`attributes_changed` text,
	`dry_run` integer DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_target_idx` ON `audit_events` (`target_id`,`id`);--> statement-breakpoint
CREATE INDEX `audit_resource_idx` ON `audit_events` (`resource_type`,`resource_id`,`id`);--> statement-breakpoint
CREATE TABLE `links` (
	`target_id` text NOT NULL,
	`resource_type` text NOT NULL,
	`resource_id` text NOT NULL,
	`remote_id` text,
	`state` text DEFAULT 'never' NOT NULL,
	`payload_hash` text,
	`remote_state` text,
	`last_attempt_at` text,
	`last_success_at` text,
	`next_attempt_at` text,
	`last_error` text,
	`last_trace` text,
	PRIMARY KEY(`target_id`, `resource_type`, `resource_id`),
	FOREIGN KEY (`target_id`) REFERENCES `targets`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `links_resource_idx` ON `links` (`resource_type`,`resource_id`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`target_id` text NOT NULL,
	`resource_type` text NOT NULL,
	`resource_id` text NOT NULL,
	`state` text DEFAULT 'pending' NOT NULL,
	`change_seq` integer DEFAULT 0 NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` text NOT NULL,
	`lease_id` text,
	`lease_until` text,
	`last_error` text,
	`approved` integer DEFAULT false NOT NULL,
	`enqueued_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`target_id`) REFERENCES `targets`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_target_resource_unique` ON `outbox` (`target_id`,`resource_type`,`resource_id`);--> statement-breakpoint
CREATE INDEX `outbox_claim_idx` ON `outbox` (`target_id`,`state`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `pushed_members` (
	`target_id` text NOT NULL,
	`group_id` text NOT NULL,
	`member_id` text NOT NULL,
	PRIMARY KEY(`target_id`, `group_id`, `member_id`),
	FOREIGN KEY (`target_id`) REFERENCES `targets`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `runs` (
	`id` text PRIMARY KEY NOT NULL,
	`target_id` text NOT NULL,
	`mode` text NOT NULL,
	`started_at` text NOT NULL,
	`finished_at` text,
	`counts` text DEFAULT '{}' NOT NULL,
	`status` text DEFAULT 'running' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `runs_target_idx` ON `runs` (`target_id`,`started_at`);--> statement-breakpoint
CREATE TABLE `targets` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text DEFAULT 'scim' NOT NULL,
	`base_url` text NOT NULL,
	`token_enc` text NOT NULL,
	`matching` text NOT NULL,
	`modes` text NOT NULL,
	`mapping` text NOT NULL,
	`rate_limit_per_second` integer DEFAULT 10 NOT NULL,
	`concurrency` integer DEFAULT 4 NOT NULL,
	`deletion_threshold` integer DEFAULT 10 NOT NULL,
	`dry_run` integer DEFAULT false NOT NULL,
	`push_groups` integer DEFAULT false NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`paused_reason` text,
	`capabilities` text,
	`last_scheduled_at` text,
	`created` text NOT NULL,
	`updated` text NOT NULL
);
