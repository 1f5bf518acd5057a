DROP INDEX `groups_display_name_lower_idx`;--> statement-breakpoint
CREATE UNIQUE INDEX `groups_display_name_lower_unique` ON `groups` (`display_name_lower`);