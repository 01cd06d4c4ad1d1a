pragma solidity ^0.4.24;

contract NameRegistry {
    struct Entry {
        bytes32 name;
        address holder;
    }

    bool public open = false;
    mapping(bytes32 => address) public holders;

    function register(bytes32 name) public {
        Entry memory entry;
        entry.name = name;
        entry.holder = msg.sender;
        require(open);
        holders[name] = entry.holder;
    }
}
