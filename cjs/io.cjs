'use strict';
module.exports = require('./load.cjs')('io', () => require('../dist/io/index.js'));
