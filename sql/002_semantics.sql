-- 002_semantics: time rollups, timeliness, validation rules, period locking.

-- A ratio that is a share (its numerator counts a part of its denominator)
-- refuses a numerator above the denominator; one that is not (mobile
-- subscriptions per 100 people can exceed 100) does not.
ALTER TABLE indicator ADD COLUMN share boolean NOT NULL DEFAULT true;

-- When a value was first received: timeliness is judged on the first
-- submission, not on later corrections.
ALTER TABLE observation ADD COLUMN first_at timestamptz NOT NULL DEFAULT now();

-- A unit's value for a coarser period derived from its finer ones (months into
-- quarters, quarters into half-years, half-years into years) by the
-- indicator's aggregation over time, when the unit did not report the coarser
-- period itself.  periods_reported / periods_expected count native periods:
-- "10 of 12 months".  received_at is the latest first receipt among them.
CREATE TABLE observation_derived (
	unit_id int NOT NULL REFERENCES unit,
	indicator_id int NOT NULL REFERENCES indicator,
	period_id int NOT NULL REFERENCES period,
	value numeric NOT NULL,
	qualifier text,
	periods_reported int NOT NULL,
	periods_expected int NOT NULL,
	received_at timestamptz NOT NULL,
	PRIMARY KEY (unit_id, indicator_id, period_id)
);

-- Rollups gain timeliness and, for derived periods, how complete they are in time.
ALTER TABLE rollup
	ADD COLUMN on_time_units int NOT NULL DEFAULT 0,
	ADD COLUMN periods_reported int,
	ADD COLUMN periods_expected int;

-- Submission deadlines per period type, from chisod.conf (deadline.*): a value
-- first received more than days_after_end days after the period's last day is
-- late; with auto_close the period is closed once that day has passed.
CREATE TABLE period_deadline (
	period_type text PRIMARY KEY CHECK (period_type IN ('daily', 'weekly', 'monthly',
							  'quarterly', 'six-monthly', 'yearly')),
	days_after_end int NOT NULL CHECK (days_after_end >= 0),
	auto_close boolean NOT NULL DEFAULT false
);

-- Who closed or reopened a period, and why, kept as history.
CREATE TABLE period_event (
	id bigserial PRIMARY KEY,
	period_id int NOT NULL REFERENCES period,
	action text NOT NULL CHECK (action IN ('close', 'reopen')),
	actor text NOT NULL,
	reason text NOT NULL DEFAULT '',
	at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX observation_unit_indicator ON observation (unit_id, indicator_id);
CREATE INDEX flag_key ON flag (unit_id, indicator_id, period_id);
