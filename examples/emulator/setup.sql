-- The governance catalog of payload.yaml as its bootstrap script leaves it,
-- run by a metastore admin (admin@example.com): the shapes of the generated
-- script, guards included. The fingerprint is payload.yaml's
-- (ucbootstrap validate payload.yaml prints it); the emulator's test checks
-- that they agree.

-- Guard 1: refuse a visible catalog that is not this integration's.
SELECT raise_error('catalog immuta exists and is not this integration''s: choose another catalog')
  FROM system.information_schema.catalogs
  WHERE catalog_name = 'immuta' AND NOT endswith(coalesce(comment, ''), ' [ucbootstrap v1 tenant=acme-prod]');
CREATE CATALOG IF NOT EXISTS `immuta`
  COMMENT 'Governance catalog of the access-governance integration of tenant acme-prod. [ucbootstrap v1 tenant=acme-prod]';
-- Guard 2: refuse an existing catalog the runner cannot see.
SELECT raise_error('catalog immuta exists but the runner cannot see it')
  FROM (SELECT count(*) AS n FROM system.information_schema.catalogs
        WHERE catalog_name = 'immuta' AND endswith(coalesce(comment, ''), ' [ucbootstrap v1 tenant=acme-prod]')) AS marked
  WHERE marked.n = 0;
CREATE SCHEMA IF NOT EXISTS `immuta`.`immuta_system` COMMENT 'Integration metadata.';
CREATE SCHEMA IF NOT EXISTS `immuta`.`immuta_functions` COMMENT 'Functions that row filters and column masks call.';
CREATE TABLE IF NOT EXISTS `immuta`.`immuta_system`.`integration_metadata`
  COMMENT 'Key-value facts about the integration.'
  AS SELECT * FROM VALUES
    ('fingerprint', 'sha256:139100126b60f166a0b11ed51fecd24289a4a0407a3785f934b6745ac13ba96b'),
    ('setup', 'manual'),
    ('tenant', 'acme-prod') AS m(`key`, `value`);
CREATE FUNCTION IF NOT EXISTS `immuta`.`immuta_functions`.`mask_string`(value STRING)
  RETURNS STRING
  RETURN CASE WHEN is_account_group_member('exempt') THEN value ELSE '*****' END;
REVOKE ALL PRIVILEGES ON CATALOG `immuta` FROM `account users`;
ALTER FUNCTION `immuta`.`immuta_functions`.`mask_string` OWNER TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;
ALTER TABLE `immuta`.`immuta_system`.`integration_metadata` OWNER TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;
ALTER SCHEMA `immuta`.`immuta_system` OWNER TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;
ALTER SCHEMA `immuta`.`immuta_functions` OWNER TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;
ALTER CATALOG `immuta` OWNER TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;
