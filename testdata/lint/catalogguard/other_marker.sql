-- The catalog guards check another tenant's marker than the payload's.

-- 1. Catalog guard: stop unless the catalog is absent or this integration's own
-- catalog guard: stops when the catalog exists without this integration's marker
SELECT raise_error('catalog immuta exists and was not set up by ucbootstrap for tenant acme-prod: its comment does not end with the marker [ucbootstrap v1 tenant=acme-prod]; give the integration a catalog of its own (config.catalog)') -- want "UCB013 the catalog guard does not check this integration's marker"
  FROM `system`.`information_schema`.`catalogs`
  WHERE catalog_name = 'immuta' AND NOT endswith(coalesce(comment, ''), ' [ucbootstrap v1 tenant=acme-test]');

-- 2. Governance catalog, private to the service principal
CREATE CATALOG IF NOT EXISTS `immuta` MANAGED LOCATION 's3://acme-governance/immuta'
  COMMENT 'Governance catalog of the access-governance integration of tenant acme-prod. Private to its service principal: do not grant it to anyone. [ucbootstrap v1 tenant=acme-prod]';
-- catalog guard: stops unless this user sees the catalog with the marker
SELECT raise_error('catalog immuta exists, but this user cannot see it with the marker of the integration: either it belongs to someone else (give the integration a catalog of its own), or it was handed to the service principal and this user is not a metastore admin') -- want "UCB013 the catalog guard does not check this integration's marker"
  FROM (
    SELECT count(*) AS n FROM `system`.`information_schema`.`catalogs`
    WHERE catalog_name = 'immuta' AND endswith(coalesce(comment, ''), ' [ucbootstrap v1 tenant=acme-test]')
  ) AS marked
  WHERE marked.n = 0;
CREATE SCHEMA IF NOT EXISTS `immuta`.`immuta_system`
  COMMENT 'Integration metadata, entitlements and exemptions read by the governance functions.';
CREATE TABLE IF NOT EXISTS `immuta`.`immuta_system`.`integration_metadata`
  COMMENT 'Facts about the integration, written when the table is created: the payload fingerprint, the setup mode and the tenant.'
  AS SELECT * FROM VALUES
    ('fingerprint', 'sha256:d430ad77ff895963ce336074d13b4bf82a25366da454d50ce5ed38b36e889a24'),
    ('setup', 'manual'),
    ('tenant', 'acme-prod')
  AS m(`key`, `value`);
CREATE TABLE IF NOT EXISTS `immuta`.`immuta_system`.`user_entitlements` (
  `principal` STRING NOT NULL,
  `attribute` STRING NOT NULL,
  `value` STRING NOT NULL
) COMMENT 'Attribute values of each user or group, maintained by the integration.';
CREATE TABLE IF NOT EXISTS `immuta`.`immuta_system`.`principal_exemptions` (
  `principal` STRING NOT NULL,
  `reason` STRING
) COMMENT 'Users and groups that policies do not apply to, with the reason.';
CREATE TABLE IF NOT EXISTS `immuta`.`immuta_system`.`setup_runs` (
  `run_id` STRING NOT NULL,
  `kind` STRING NOT NULL,
  `script` STRING NOT NULL,
  `payload` STRING NOT NULL,
  `runner` STRING,
  `statement_index` INT NOT NULL,
  `section` STRING,
  `position` STRING,
  `statement_hash` STRING NOT NULL,
  `cumulative_hash` STRING NOT NULL,
  `statement_id` STRING,
  `state` STRING NOT NULL,
  `error_code` STRING,
  `message` STRING,
  `started_at` STRING,
  `ended_at` STRING
) COMMENT 'The run ledger: a row for each statement a run of a setup script ended (ucbootstrap apply), with its hash, the cumulative hash of the script up to it, its statement ID, state, error and times (RFC 3339).';
CREATE SCHEMA IF NOT EXISTS `immuta`.`immuta_functions`
  COMMENT 'Functions that row filters and column masks call.';
CREATE FUNCTION IF NOT EXISTS `immuta`.`immuta_functions`.`is_exempt`()
  RETURNS BOOLEAN
  COMMENT 'True when the current user, or an account group the user belongs to, is exempt from policies.'
  RETURN EXISTS (
    SELECT 1 FROM `immuta`.`immuta_system`.`principal_exemptions` e
    WHERE e.`principal` = current_user() OR is_account_group_member(e.`principal`)
  );
CREATE FUNCTION IF NOT EXISTS `immuta`.`immuta_functions`.`has_attribute`(attribute_name STRING, attribute_value STRING)
  RETURNS BOOLEAN
  COMMENT 'True when the current user, or an account group the user belongs to, holds the attribute value.'
  RETURN EXISTS (
    SELECT 1 FROM `immuta`.`immuta_system`.`user_entitlements` e
    WHERE (e.`principal` = current_user() OR is_account_group_member(e.`principal`))
      AND e.`attribute` = attribute_name AND e.`value` = attribute_value
  );
CREATE FUNCTION IF NOT EXISTS `immuta`.`immuta_functions`.`filter_by_attribute`(attribute_name STRING, row_value STRING)
  RETURNS BOOLEAN
  COMMENT 'Row filter: keeps the rows whose value the current user holds as an attribute, and every row for exempt users.'
  RETURN `immuta`.`immuta_functions`.`is_exempt`() OR `immuta`.`immuta_functions`.`has_attribute`(attribute_name, row_value);
CREATE FUNCTION IF NOT EXISTS `immuta`.`immuta_functions`.`mask_string`(value STRING)
  RETURNS STRING
  COMMENT 'Column mask: the value for exempt users, asterisks for everyone else.'
  RETURN CASE WHEN `immuta`.`immuta_functions`.`is_exempt`() THEN value ELSE '*****' END;
CREATE FUNCTION IF NOT EXISTS `immuta`.`immuta_functions`.`mask_hash`(value STRING)
  RETURNS STRING
  COMMENT 'Column mask: the value for exempt users, its SHA-256 for everyone else, so that joins still work.'
  RETURN CASE WHEN `immuta`.`immuta_functions`.`is_exempt`() THEN value ELSE sha2(value, 256) END;
REVOKE ALL PRIVILEGES ON CATALOG `immuta` FROM `account users`;

-- 3. Service principal on the data it protects
GRANT USE CATALOG, MANAGE ON CATALOG `finance` TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;
GRANT USE SCHEMA, SELECT, MODIFY ON CATALOG `finance` TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;
GRANT USE CATALOG, MANAGE ON CATALOG `hr` TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;
GRANT USE SCHEMA ON SCHEMA `hr`.`people` TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;
GRANT SELECT, MODIFY ON TABLE `hr`.`people`.`employees` TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;
GRANT USE CATALOG, MANAGE ON CATALOG `main` TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;
GRANT USE SCHEMA, SELECT, MODIFY ON SCHEMA `main`.`sales` TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;

-- 4. Query audit (system tables)
GRANT USE CATALOG ON CATALOG `system` TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;
GRANT USE SCHEMA ON SCHEMA `system`.`access` TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;
GRANT SELECT ON TABLE `system`.`access`.`audit` TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;
GRANT SELECT ON TABLE `system`.`access`.`column_lineage` TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;
GRANT SELECT ON TABLE `system`.`access`.`table_lineage` TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;

-- 5. Hand the governance catalog to the service principal (last: the runner loses its rights here)
ALTER FUNCTION `immuta`.`immuta_functions`.`is_exempt` OWNER TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;
ALTER FUNCTION `immuta`.`immuta_functions`.`has_attribute` OWNER TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;
ALTER FUNCTION `immuta`.`immuta_functions`.`filter_by_attribute` OWNER TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;
ALTER FUNCTION `immuta`.`immuta_functions`.`mask_string` OWNER TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;
ALTER FUNCTION `immuta`.`immuta_functions`.`mask_hash` OWNER TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;
ALTER TABLE `immuta`.`immuta_system`.`integration_metadata` OWNER TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;
ALTER TABLE `immuta`.`immuta_system`.`user_entitlements` OWNER TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;
ALTER TABLE `immuta`.`immuta_system`.`principal_exemptions` OWNER TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;
ALTER TABLE `immuta`.`immuta_system`.`setup_runs` OWNER TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;
ALTER SCHEMA `immuta`.`immuta_system` OWNER TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;
ALTER SCHEMA `immuta`.`immuta_functions` OWNER TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;
ALTER CATALOG `immuta` OWNER TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;
