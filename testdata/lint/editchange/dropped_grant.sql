-- from: testdata/lint/payload-old.yaml
-- kind: edit
-- The edit from the old payload (hr.people.employees added as a data
-- source), with MODIFY on the new table removed.
GRANT USE CATALOG, MANAGE ON CATALOG `hr` TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;
GRANT USE SCHEMA ON SCHEMA `hr`.`people` TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`;
GRANT SELECT ON TABLE `hr`.`people`.`employees` TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`; -- want "UCB017 the edit no longer grants MODIFY on TABLE hr\\.people\\.employees to 6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f, which the change from the old payload calls for: add GRANT MODIFY ON TABLE `hr`\\.`people`\\.`employees` TO `6f1b7c2e-3d4a-4b5c-9e8f-0a1b2c3d4e5f`"
