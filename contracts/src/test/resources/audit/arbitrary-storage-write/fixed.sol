pragma solidity ^0.4.24;

contract Queue {
    address public owner;
    uint256[] private items;

    constructor() public {
        owner = msg.sender;
    }

    function add(uint256 value) public {
        items.push(value);
    }

    function dropLast() public {
        require(items.length > 0);
        delete items[items.length - 1];
        uint256[] memory kept = new uint256[](items.length - 1);
        for (uint256 i = 0; i < kept.length; i++) {
            kept[i] = items[i];
        }
        items = kept;
    }

    function replace(uint256 index, uint256 value) public {
        require(index < items.length);
        items[index] = value;
    }
}
