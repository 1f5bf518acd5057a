CREATE TABLE `reconcile_drift` (
	`target_id` text NOT NULL,
	`resource_type` text NOT NULL,
	`resource_id` text NOT NULL,
	`kind` text NOT NULL,
	`detail` text,
	`repairable` integer NOT NULL,
	`at` text NOT NULL,
	PRIMARY KEY(`target_id`, `resource_type`, `resource_id`, `kind`),
	FOREIGN KEY (`target_id`) REFERENCES `targets`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `reconcile_seen` (
	`target_id` text NOT NULL,
	`resource_type` text NOT NULL,
	`remote_id` text NOT NULL,
	`roles` text,
	PRIMARY KEY(`target_id`, `resource_type`, `remote_id`),
	FOREIGN KEY (`target_id`) REFERENCES `targets`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `targets` ADD `reconcile_state` text;--> statement-breakpoint
ALTER TABLE `targets` ADD `last_reconcile_at` text;--> statement-breakpoint
ALTER TABLE `targets` ADD `reconcile_interval_minutes` integer DEFAULT 1440 NOT NULL;--> statement-breakpoint
CREATE INDEX `links_remote_id_idx` ON `links` (`target_id`,`remote_id`);