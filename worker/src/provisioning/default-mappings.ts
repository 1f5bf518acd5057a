/** The mapping a new CMS target starts with, per kind (each client's default-mapping.ts). */
import type { MappingRule } from '../../../shared/src/targets';
import type { CmsKind } from '../../../shared/src/target-kinds';
import { DRUPAL_DEFAULT_MAPPING } from './drupal-client/default-mapping';
import { JOOMLA_DEFAULT_MAPPING } from './joomla-client/default-mapping';
import { WORDPRESS_DEFAULT_MAPPING } from './wordpress-client/default-mapping';

export const DEFAULT_MAPPING_OF: Record<CmsKind, MappingRule[]> = {
  'drupal-jsonapi': DRUPAL_DEFAULT_MAPPING,
  'wordpress-rest': WORDPRESS_DEFAULT_MAPPING,
  'joomla-webservices': JOOMLA_DEFAULT_MAPPING,
};
