CREATE TABLE `remote_roles` (
	`target_id` text NOT NULL,
	`remote_id` text NOT NULL,
	`roles` text NOT NULL,
	`saved_at` text NOT NULL,
	PRIMARY KEY(`target_id`, `remote_id`),
	FOREIGN KEY (`target_id`) REFERENCES `targets`(`id`) ON UPDATE no action ON DELETE cascade
);
