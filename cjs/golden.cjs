'use strict';
module.exports = require('./load.cjs')('golden', () => require('../dist/golden/index.js'));
