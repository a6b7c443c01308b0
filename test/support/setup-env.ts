// Every test runs in UTC, like the product itself (bootConfig sets the same).
process.env.TZ = 'UTC';
