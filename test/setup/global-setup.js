// Runs once before a jest run: its temporary folder (temp-dir.js).
module.exports = require('./temp-dir').setup;
