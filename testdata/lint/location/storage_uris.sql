-- payload: none
-- The storage locations of external locations, volumes and tables, and the
-- ALTER forms that set them, without a payload: each must be a cloud
-- storage URI. Tables of hive_metastore, and tables named with fewer than
-- three parts (they may be in it), take DBFS paths and are not checked.
CREATE EXTERNAL LOCATION IF NOT EXISTS `landing` URL 'http://bucket/landing' -- want "UCB011 the URL 'http://bucket/landing' is not a cloud storage URI: an external location is an s3://"
  WITH (STORAGE CREDENTIAL `cred`);
CREATE EXTERNAL LOCATION `ok` URL 's3://bucket/ok' WITH (STORAGE CREDENTIAL `cred`);
ALTER EXTERNAL LOCATION `ok` SET URL '/mnt/ok' FORCE; -- want "UCB011 the URL '/mnt/ok' is not a cloud storage URI"
ALTER SCHEMA `main`.`s` SET MANAGED LOCATION 'dbfs:/mnt/s'; -- want "UCB011 MANAGED LOCATION 'dbfs:/mnt/s' is not a cloud storage URI"
CREATE EXTERNAL VOLUME `main`.`s`.`files` LOCATION '/Volumes/main/s/files'; -- want "UCB011 the LOCATION '/Volumes/main/s/files' is not a cloud storage URI: use an s3://, abfss://, gs:// or r2:// URI inside an external location"
CREATE EXTERNAL VOLUME `main`.`s`.`raw` LOCATION 'abfss://raw@acct.dfs.core.windows.net/raw';
CREATE TABLE `main`.`s`.`events` (id INT) LOCATION 'dbfs:/mnt/events'; -- want "UCB011 the LOCATION 'dbfs:/mnt/events' is not a cloud storage URI"
CREATE TABLE `main`.`s`.`events2` (id INT) LOCATION 'gs://bucket/events2';
CREATE TABLE `hive_metastore`.`s`.`legacy` (id INT) LOCATION 'dbfs:/mnt/legacy';
CREATE TABLE `s`.`short` (id INT) LOCATION 'dbfs:/mnt/short';
