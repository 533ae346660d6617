-- bootstrap: the roles and the database of chiso, created by a superuser
-- before the first migration.  `chisoctl db init` runs it through psql for
-- the embedded cluster; on a production server the DBA runs it the same way
-- (docs/operations.md).  The passwords come from the environment variables
-- CHISO_OWNER_PW, CHISO_WRITER_PW and CHISO_READER_PW, never from a command
-- line.  Running it again only resets the passwords.
\set ON_ERROR_STOP on
\getenv owner_pw CHISO_OWNER_PW
\getenv writer_pw CHISO_WRITER_PW
\getenv reader_pw CHISO_READER_PW

SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'chiso_owner') AS new_owner,
       NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'chiso_writer') AS new_writer,
       NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'chiso_reader') AS new_reader,
       NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'chiso') AS new_database
\gset

\if :new_owner
CREATE ROLE chiso_owner LOGIN;
\endif
\if :new_writer
CREATE ROLE chiso_writer LOGIN;
\endif
\if :new_reader
CREATE ROLE chiso_reader LOGIN;
\endif
ALTER ROLE chiso_owner PASSWORD :'owner_pw';
ALTER ROLE chiso_writer PASSWORD :'writer_pw';
ALTER ROLE chiso_reader PASSWORD :'reader_pw';

\if :new_database
CREATE DATABASE chiso OWNER chiso_owner ENCODING 'UTF8' TEMPLATE template0;
\endif
REVOKE ALL ON DATABASE chiso FROM PUBLIC;
GRANT CONNECT ON DATABASE chiso TO chiso_owner, chiso_writer, chiso_reader;
