CREATE TABLE `target_overrides` (
	`target_id` text NOT NULL,
	`user_id` text NOT NULL,
	`override` text NOT NULL,
	`updated` text NOT NULL,
	PRIMARY KEY(`target_id`, `user_id`),
	FOREIGN KEY (`target_id`) REFERENCES `targets`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `target_overrides_user_idx` ON `target_overrides` (`user_id`);--> statement-breakpoint
ALTER TABLE `targets` ADD `scope` text;--> statement-breakpoint
ALTER TABLE `targets` ADD `creation_threshold` integer DEFAULT 100 NOT NULL;--> statement-breakpoint
ALTER TABLE `targets` ADD `creations_approved_at` text;