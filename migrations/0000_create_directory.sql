CREATE TABLE `changes` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`resource_type` text NOT NULL,
	`resource_id` text NOT NULL,
	`op` text NOT NULL,
	`version` integer NOT NULL,
	`at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `changes_resource_idx` ON `changes` (`resource_type`,`resource_id`);--> statement-breakpoint
CREATE TABLE `group_members` (
	`group_pk` integer NOT NULL,
	`member_id` text NOT NULL,
	`member_type` text NOT NULL,
	PRIMARY KEY(`group_pk`, `member_id`),
	FOREIGN KEY (`group_pk`) REFERENCES `groups`(`pk`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `group_members_member_idx` ON `group_members` (`member_id`);--> statement-breakpoint
CREATE TABLE `groups` (
	`pk` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`display_name` text NOT NULL,
	`display_name_lower` text NOT NULL,
	`external_id` text,
	`created` text NOT NULL,
	`last_modified` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`data` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `groups_id_unique` ON `groups` (`id`);--> statement-breakpoint
CREATE INDEX `groups_display_name_lower_idx` ON `groups` (`display_name_lower`);--> statement-breakpoint
CREATE INDEX `groups_external_id_idx` ON `groups` (`external_id`);--> statement-breakpoint
CREATE INDEX `groups_created_idx` ON `groups` (`created`);--> statement-breakpoint
CREATE INDEX `groups_last_modified_idx` ON `groups` (`last_modified`);--> statement-breakpoint
CREATE TABLE `tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`hash` text NOT NULL,
	`scopes` text NOT NULL,
	`created` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`last_used` text,
	`revoked` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tokens_hash_unique` ON `tokens` (`hash`);--> statement-breakpoint
CREATE TABLE `user_values` (
	`user_pk` integer NOT NULL,
	`attr` text NOT NULL,
	`type` text,
	`value` text,
	`value_lower` text,
	`display` text,
	`primary` integer DEFAULT false NOT NULL,
	FOREIGN KEY (`user_pk`) REFERENCES `users`(`pk`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `user_values_attr_value_idx` ON `user_values` (`attr`,`value_lower`);--> statement-breakpoint
CREATE INDEX `user_values_user_idx` ON `user_values` (`user_pk`,`attr`);--> statement-breakpoint
CREATE TABLE `users` (
	`pk` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`user_name` text NOT NULL,
	`user_name_lower` text NOT NULL,
	`external_id` text,
	`display_name_lower` text,
	`given_name_lower` text,
	`family_name_lower` text,
	`active` integer,
	`created` text NOT NULL,
	`last_modified` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`data` text NOT NULL,
	`password_hash` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_id_unique` ON `users` (`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `users_user_name_lower_unique` ON `users` (`user_name_lower`);--> statement-breakpoint
CREATE INDEX `users_external_id_idx` ON `users` (`external_id`);--> statement-breakpoint
CREATE INDEX `users_display_name_lower_idx` ON `users` (`display_name_lower`);--> statement-breakpoint
CREATE INDEX `users_given_name_lower_idx` ON `users` (`given_name_lower`);--> statement-breakpoint
CREATE INDEX `users_family_name_lower_idx` ON `users` (`family_name_lower`);--> statement-breakpoint
CREATE INDEX `users_created_idx` ON `users` (`created`);--> statement-breakpoint
CREATE INDEX `users_last_modified_idx` ON `users` (`last_modified`);