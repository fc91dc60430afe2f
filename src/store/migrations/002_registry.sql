-- Registry: zones, blocks, households, residents and their vulnerability flags.
-- Owned by the registry (src/domain). Placeholders expanded per backend: {{ID}} identity
-- primary key, {{BLOB}} bytes. Times are BIGINT microseconds UTC, booleans INTEGER 0/1.
--
-- Vocabularies are checked here where they are closed (block kind, gender, household
-- status, document kind). The flag list is open on purpose: new kinds of vulnerability
-- are added by code, not by rebuilding the table.

-- A part of a community, led by a zone leader and a deputy (片区).
CREATE TABLE zones (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    name TEXT NOT NULL,
    sort_order INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX zones_community ON zones(community_id, sort_order);

-- One building unit (楼组 / 单元) or one courtyard (院落). zone_id is NULL in
-- communities that have no zones.
CREATE TABLE blocks (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    zone_id BIGINT REFERENCES zones(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'building' CHECK (kind IN ('building', 'courtyard')),
    sort_order INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX blocks_community ON blocks(community_id, sort_order);
CREATE INDEX blocks_zone ON blocks(community_id, zone_id, sort_order);

-- One dwelling (户). room is the address inside the community as people write it,
-- e.g. 12号楼2单元301. phone is the household's contact number.
CREATE TABLE households (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    block_id BIGINT NOT NULL REFERENCES blocks(id),
    room TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'occupied'
        CHECK (status IN ('occupied', 'away', 'vacant', 'rented_out')),
    phone TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (community_id, block_id, room)
);
CREATE INDEX households_status ON households(community_id, status);

-- A person (居民). The identity document number is never stored in clear: id_cipher is
-- the encrypted number (NULL when no field key is configured), id_hash a keyed lookup
-- hash of it for search and de-duplication, id_masked the form printed on lists.
-- languages is a comma list of codes (zh, en, ja, ko, ...). owner: owns the dwelling
-- (0 for tenants and children), floating: floating population (流动人口).
CREATE TABLE residents (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    household_id BIGINT NOT NULL REFERENCES households(id),
    name TEXT NOT NULL,
    gender TEXT NOT NULL DEFAULT '' CHECK (gender IN ('f', 'm', '')),
    birth_year INTEGER,
    birth_date TEXT,
    phone TEXT NOT NULL DEFAULT '',
    id_kind TEXT CHECK (id_kind IN ('cn_id', 'passport', 'other')),
    id_cipher TEXT,
    id_hash TEXT,
    id_masked TEXT,
    languages TEXT NOT NULL DEFAULT 'zh',
    owner INTEGER NOT NULL DEFAULT 0 CHECK (owner IN (0, 1)),
    floating INTEGER NOT NULL DEFAULT 0 CHECK (floating IN (0, 1)),
    party_member INTEGER NOT NULL DEFAULT 0 CHECK (party_member IN (0, 1)),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX residents_household ON residents(community_id, household_id);
CREATE INDEX residents_phone ON residents(community_id, phone);
CREATE INDEX residents_id_hash ON residents(community_id, id_hash);
CREATE INDEX residents_name ON residents(community_id, name);

-- Vulnerability flags with history: a flag is set (set_by, set_at) and later cleared
-- (cleared_at), never deleted, so "who was in home isolation in March" stays answerable.
-- flag: alone_elderly, disabled, pregnant, chronic_illness, bedridden, no_smartphone,
-- home_isolation. detail is a JSON object whose fields depend on the flag: due_date
-- (pregnant), condition and medicine (chronic_illness), relay (no_smartphone), start,
-- end and reason (home_isolation).
CREATE TABLE resident_flags (
    id {{ID}},
    community_id BIGINT NOT NULL REFERENCES communities(id),
    resident_id BIGINT NOT NULL REFERENCES residents(id),
    flag TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}',
    set_by BIGINT REFERENCES users(id),
    set_at BIGINT NOT NULL,
    cleared_at BIGINT
);
CREATE INDEX resident_flags_resident ON resident_flags(community_id, resident_id);
CREATE INDEX resident_flags_active ON resident_flags(community_id, flag, resident_id)
    WHERE cleared_at IS NULL;
