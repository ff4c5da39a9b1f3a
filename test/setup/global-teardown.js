// Runs once after a jest run: its temporary folder removed (temp-dir.js).
module.exports = require('./temp-dir').teardown;
