CREATE INDEX `groups_pk_idx` ON `groups` (`pk`);--> statement-breakpoint
CREATE INDEX `users_pk_idx` ON `users` (`pk`);