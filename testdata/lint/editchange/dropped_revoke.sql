-- payload: testdata/lint/payload-old.yaml
-- from: testdata/lint/payload.yaml
-- kind: edit
-- The edit that takes hr.people.employees out of the integration, with the
-- revoke on its schema removed.
REVOKE USE CATALOG, MANAGE ON CATALOG `hr` FROM `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;
REVOKE SELECT, MODIFY ON TABLE `hr`.`people`.`employees` FROM `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`; -- want "UCB017 the edit no longer revokes USE SCHEMA on SCHEMA hr\\.people from"
