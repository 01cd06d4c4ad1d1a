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
        items.length--;
    }

    function replace(uint256 index, uint256 value) public {
        require(index < items.length);
        items[index] = value;
    }
}
