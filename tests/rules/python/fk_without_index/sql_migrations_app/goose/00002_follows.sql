-- +goose Up
CREATE TABLE follow (
    id bigserial PRIMARY KEY,
    person_id bigint NOT NULL REFERENCES person (id)
);
-- +goose Down
DROP TABLE follow;
