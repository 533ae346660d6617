-- bootstrap.sql: the three roles and the database chiso in a fresh cluster.
--
-- `chisoctl db init` runs it with psql 15 as the superuser.  It is safe to run
-- again: it creates what is missing and sets the three passwords to the ones in
-- the credentials file, which stays the single place they are kept.  The
-- passwords come from the environment (CHISO_OWNER_PW, CHISO_WRITER_PW,
-- CHISO_READER_PW), never from a command line, and reach the server as
-- literals quoted by psql (:'var').  Schema, tables and their grants come later
-- from the numbered migrations, run as chiso_owner.

\set ON_ERROR_STOP 1
-- A failing statement is not copied into the server log: it may hold a password.
SET log_min_error_statement = panic;

\getenv owner_pw CHISO_OWNER_PW
\getenv writer_pw CHISO_WRITER_PW
\getenv reader_pw CHISO_READER_PW
SELECT :{?owner_pw} AND :{?writer_pw} AND :{?reader_pw} AS chiso_have_passwords \gset
\if :chiso_have_passwords
\else
DO $$ BEGIN
	RAISE EXCEPTION 'bootstrap.sql needs CHISO_OWNER_PW, CHISO_WRITER_PW and CHISO_READER_PW in the environment';
END $$;
\endif

-- Role names are constants here; format(%I) only spells them.
SELECT format('CREATE ROLE %I', name)
  FROM unnest(ARRAY['chiso_owner', 'chiso_writer', 'chiso_reader']) AS name
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = name) \gexec

ALTER ROLE chiso_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'owner_pw';
ALTER ROLE chiso_writer LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'writer_pw';
ALTER ROLE chiso_reader LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'reader_pw';

-- CREATE DATABASE cannot run in a DO block or a transaction, hence \if.
SELECT NOT EXISTS (SELECT FROM pg_database WHERE datname = 'chiso') AS chiso_db_missing \gset
\if :chiso_db_missing
CREATE DATABASE chiso OWNER chiso_owner;
\endif

-- Analysts and their BI tools find the views without a setting of their own:
-- the reader's default search_path in this database is the schema chiso.
ALTER ROLE chiso_reader IN DATABASE chiso SET search_path = chiso;

-- Only the three roles may connect.  The writer may also create temporary
-- tables: the daemon stages COPY batches in one.
REVOKE ALL ON DATABASE chiso FROM PUBLIC;
GRANT CONNECT ON DATABASE chiso TO chiso_owner, chiso_writer, chiso_reader;
GRANT TEMPORARY ON DATABASE chiso TO chiso_writer;
