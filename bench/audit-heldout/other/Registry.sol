pragma solidity ^0.4.24;

contract Registry {
    struct Record {
        address holder;
        uint256 since;
    }

    address public admin;
    mapping(bytes32 => Record) public records;

    constructor() public {
        admin = msg.sender;
    }

    function claim(bytes32 key) public {
        Record r; // VULN
        r.holder = msg.sender;
        r.since = block.number;
        records[key] = r;
    }
}
